{
  # The project's own TAP addon (DESIGN.md §4): plain C on node_api.h, no
  # node-addon-api. `npm install` / `npm ci` build it through node-gyp
  # ("gypfile": true); by hand: `npx node-gyp rebuild`.
  "targets": [
    {
      "target_name": "gonet_tap",
      "sources": ["native/gonet_tap.c"],
      "defines": ["NAPI_VERSION=8"],
      # node's common.gypi builds Release with -O3; we want -O2 and the usual
      # warnings, treated as what they are (no -Werror: a newer compiler must
      # not break `npm install`).
      "cflags!": ["-O3"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wshadow",
                 "-Wformat=2", "-Wstrict-prototypes", "-fvisibility=hidden"],
      "cflags_c": ["-std=gnu11"],
      "configurations": {
        "Release": {
          "cflags!": ["-O3"],
          "cflags": ["-O2"]
        }
      },
      "conditions": [
        ["OS!='linux'", {
          # TAP access is Linux-only; elsewhere the module still builds so
          # `npm install` succeeds, and `open` reports ENOTSUP at run time.
          "defines": ["GONET_TAP_UNSUPPORTED=1"]
        }]
      ]
    }
  ]
}
