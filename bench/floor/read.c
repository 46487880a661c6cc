// Baseline: how fast can a plain C process read frames from a TAP here?
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  int fd=open("/dev/net/tun",O_RDWR|O_NONBLOCK);struct ifreq ifr;memset(&ifr,0,sizeof ifr);
  ifr.ifr_flags=IFF_TAP|IFF_NO_PI;strncpy(ifr.ifr_name,argv[1],IFNAMSIZ-1);
  if(ioctl(fd,TUNSETIFF,&ifr)<0){perror("TUNSETIFF");return 1;}
  double secs=atof(argv[2]);static unsigned char buf[65600];long n=0;double t0=0,tl=0;
  double end=now()+secs+30;
  while(now()<end){struct pollfd p={fd,POLLIN,0};if(poll(&p,1,200)<=0){if(t0>0&&now()-tl>0.5)break;continue;}
    for(int i=0;i<64;i++){ssize_t r=read(fd,buf,sizeof buf);if(r<=0)break;if(!t0)t0=now();n++;tl=now();}}
  printf("frames %ld in %.3f s = %.0f/s\n",n,tl-t0,n/(tl-t0));return 0;}
