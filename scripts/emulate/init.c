/* init.c - PID 1 of the emulated machine scripts/emulate_avx512.sh boots: reports what the
 * (emulated) CPU and kernel enable, runs /test, prints its exit status, powers off. Static;
 * everything it prints that the script reads starts with "VCEMU". */
#define _GNU_SOURCE
#include <cpuid.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
    unsigned a, b, c, d, xcr0 = 0;
    __cpuid(1, a, b, c, d);
    if (c & (1u << 27)) /* OSXSAVE: the kernel enabled XSAVE, XCR0 says which register files */
        __asm__ volatile("xgetbv" : "=a"(xcr0) : "c"(0) : "edx");
    __builtin_cpu_init();
    printf("VCEMU xcr0=%#x avx2=%d fma=%d avx512f=%d\n", xcr0, !!__builtin_cpu_supports("avx2"),
           !!__builtin_cpu_supports("fma"), !!__builtin_cpu_supports("avx512f"));
    fflush(stdout);
    if (mount("proc", "/proc", "proc", 0, NULL) != 0)
        perror("VCEMU mount /proc");
    pid_t p = fork();
    if (p == 0) {
        execl("/test", "test", (char *)NULL);
        perror("VCEMU exec /test");
        _exit(127);
    }
    int st = 0;
    if (p < 0 || waitpid(p, &st, 0) < 0)
        st = 127 << 8;
    printf("VCEMU test exit %d signal %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    fflush(stdout);
    tcdrain(STDOUT_FILENO); /* the serial console is slow: let it send everything before power-off */
    sleep(2);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
