{
  # The project's own TAP addon (DESIGN.md §4): plain C on node_api.h, no
  # node-addon-api. `npm install` / `npm ci` build it through node-gyp
  # ("gypfile": true); by hand: `npx node-gyp rebuild`. native/gonet_tap.h
  # says which file holds what.
  "targets": [
    {
      "target_name": "gonet_tap",
      "sources": ["native/module.c", "native/util.c"],
      "defines": ["NAPI_VERSION=8"],
      # node's common.gypi builds Release with -O3; we want -O2 (swapped in
      # the Release configuration below, where common.gypi puts it) and the
      # usual warnings, treated as what they are (no -Werror: a newer compiler
      # must not break `npm install`). Hidden visibility keeps the files' shared
      # helpers out of the dynamic symbol table: only the module's init is
      # exported (node_api.h marks it).
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wshadow",
                 "-Wformat=2", "-Wstrict-prototypes",
                 "-fvisibility=hidden"],
      "cflags_c": ["-std=gnu11"],
      "configurations": {
        "Release": {
          "cflags!": ["-O3"],
          "cflags": ["-O2"]
        }
      },
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/tap_io.c", "native/if_config.c", "native/sched.c"]
        }, {
          # TAP access is Linux-only; elsewhere the module still builds so
          # `npm install` succeeds, and every function reports ENOTSUP at run
          # time.
          "defines": ["GONET_TAP_UNSUPPORTED=1"]
        }]
      ]
    }
  ]
}
