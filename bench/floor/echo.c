// Floor measurement: a minimal C ARP + ICMP echo responder on a TAP.
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
static unsigned short csum(unsigned char *b, int n){unsigned long a=0;for(int i=0;i+1<n;i+=2)a+=(b[i]<<8)|b[i+1];if(n&1)a+=b[n-1]<<8;while(a>>16)a=(a&0xffff)+(a>>16);return ~a&0xffff;}
int main(int argc,char**argv){
  int fd=open("/dev/net/tun",O_RDWR);struct ifreq ifr;memset(&ifr,0,sizeof ifr);
  ifr.ifr_flags=IFF_TAP|IFF_NO_PI;strncpy(ifr.ifr_name,argv[1],IFNAMSIZ-1);
  if(ioctl(fd,TUNSETIFF,&ifr)<0){perror("TUNSETIFF");return 1;}
  unsigned char mac[6]={2,0,0,0,0,2},ip[4]={198,18,0,2},f[65600];
  time_t end=time(NULL)+atoi(argv[2]);
  while(time(NULL)<end){struct pollfd p={fd,POLLIN,0};if(poll(&p,1,200)<=0)continue;
    int n=read(fd,f,sizeof f);if(n<42)continue;
    if(f[12]==8&&f[13]==6&&f[21]==1&&!memcmp(f+38,ip,4)){
      memcpy(f+32,f+22,10);memcpy(f,f+6,6);memcpy(f+6,mac,6);f[21]=2;memcpy(f+22,mac,6);memcpy(f+28,ip,4);write(fd,f,42);
    }else if(f[12]==8&&f[13]==0&&f[23]==1&&f[34]==8){
      unsigned char t[6];memcpy(f,f+6,6);memcpy(f+6,mac,6);memcpy(t,f+26,4);memcpy(f+26,f+30,4);memcpy(f+30,t,4);
      int tl=(f[16]<<8)|f[17];f[34]=0;f[36]=f[37]=0;unsigned short c=csum(f+34,tl-20);f[36]=c>>8;f[37]=c&255;write(fd,f,14+tl);}
  }return 0;}
