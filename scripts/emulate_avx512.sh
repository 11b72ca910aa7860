#!/usr/bin/env bash
# emulate_avx512.sh [OUTDIR] - run tests/test_conv on an emulated AVX-512 CPU (Bochs).
#
# For AVX2-only hosts: the AVX-512 product (src/gemm_kernel_avx512.c) is chosen at run time
# and never runs here, so this boots Linux in Bochs 2.7 (Debian's bochs, which emulates
# AVX-512F/CD/DQ/BW/VL as its corei7_skylake_x model) with a static test_conv as the only
# program and reports its result. test_conv checks every product the CPU has (blas, avx2,
# avx512) against double loops. Takes about 5 min (280 s in the emulator on a Zen 3 host:
# Bochs interprets every instruction), so it is not part of CI; CI on an AVX-512 machine runs
# the same checks natively. Installs its Debian packages with apt-get when missing (root).
#
# The kernel is Debian 11's 5.10 cloud kernel, fetched from deb.debian.org: Bochs 2.7 reports
# XSAVE sizes (CPUID leaf 0xD) that disagree with its own offsets and a zero-sized PKRU;
# Debian 12's 6.1 kernel then turns XSAVE off (no AVX at all), 5.10 warns and carries on.
# Exit status: 0 when test_conv passed in the emulator, 1 when it failed, 2 when it never ran
# (or the emulated CPU lacked AVX-512F, or the avx512 product did not run).
set -euo pipefail
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
fi
cd "$(dirname "$0")/.."
out=${1:-build/emulate}
mkdir -p "$out/iso/isolinux" "$out/rd/proc"
out=$(cd "$out" && pwd)

if ! command -v bochs >/dev/null || [ ! -f /usr/lib/ISOLINUX/isolinux.bin ] || ! command -v genisoimage >/dev/null ||
    ! command -v cpio >/dev/null; then
    apt-get install -y -q bochs bochs-term bochsbios vgabios isolinux syslinux-common genisoimage cpio xz-utils curl >/dev/null
fi
kernel="$out/vmlinuz-5.10"
if [ ! -s "$kernel" ]; then
    mirror=http://deb.debian.org/debian
    deb=$(curl -fsS "$mirror/dists/bullseye/main/binary-amd64/Packages.xz" | xz -dc |
        sed -n 's/^Filename: \(.*linux-image-5\.10\.[0-9]*-[0-9]*-cloud-amd64_.*\.deb\)$/\1/p' | sort -V | tail -1)
    [ -n "$deb" ] || { echo "emulate_avx512: no 5.10 cloud kernel in Debian 11's index" >&2; exit 2; }
    curl -fsS -o "$out/kernel.deb" "$mirror/$deb"
    rm -rf "$out/kernel" && dpkg-deb -x "$out/kernel.deb" "$out/kernel"
    cp "$out"/kernel/boot/vmlinuz-* "$kernel"
fi

# the test and its sources, statically linked (no shared libraries in the initramfs)
gcc -std=c11 -O2 -static -pthread -Iinclude -Isrc -Itests -o "$out/rd/test" tests/test_conv.c src/conv.c \
    src/winograd.c src/gemm.c src/gemm_packed.c src/gemm_kernel_avx2.c src/gemm_kernel_avx512.c src/pool.c \
    src/status.c src/log.c src/rng.c src/profile.c -L/usr/lib/x86_64-linux-gnu/openblas-pthread -l:libopenblas.a \
    -lgfortran -lquadmath -lm 2>&1 | { grep -v 'Using .* in statically linked' || true; }
gcc -O2 -static -o "$out/rd/init" scripts/emulate/init.c
strip "$out/rd/test" "$out/rd/init"
(cd "$out/rd" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$out/iso/initrd.gz")
cp "$kernel" "$out/iso/vmlinuz"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$out/iso/isolinux/"
cat >"$out/iso/isolinux/isolinux.cfg" <<CFG
DEFAULT vc
PROMPT 0
TIMEOUT 0
LABEL vc
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz console=ttyS0 loglevel=3 panic=-1 nokaslr mitigations=off nopku lpj=1000000
CFG
genisoimage -quiet -o "$out/vc.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
    -boot-info-table "$out/iso"
cat >"$out/bochsrc" <<CFG
display_library: term
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
megs: 512
cpu: model=corei7_skylake_x, ips=200000000
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-slave: type=cdrom, path=$out/vc.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$out/serial.out
log: $out/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
speaker: enabled=0
CFG
printf 'c\nquit\n' >"$out/debugger.rc" # Debian's bochs has the debugger built in: continue at once
rm -f "$out/serial.out"
echo "emulate_avx512: booting Bochs (corei7_skylake_x); the test's output goes to $out/serial.out"
start=$(date +%s)
# Bochs' text display draws on its controlling terminal; script(1) gives it a private one
# whose output is drained, so it never stalls on a terminal nobody reads
timeout 3600 script -qfec "bochs -q -f '$out/bochsrc' -rc '$out/debugger.rc'" /dev/null </dev/null >"$out/bochs.stdout" 2>&1 ||
    true
tr -d '\r' <"$out/serial.out" >"$out/serial.txt" # the console ends lines with CR LF
grep -a -E 'VCEMU|^product|checks|CHECK failed' "$out/serial.txt" || true
echo "emulate_avx512: $(($(date +%s) - start)) s in the emulator"
status=$(sed -n 's/.*VCEMU test exit \([0-9-]*\) signal.*/\1/p' "$out/serial.txt" | tail -1)
grep -a -q 'avx512f=1' "$out/serial.txt" || { echo "emulate_avx512: the emulated CPU did not offer AVX-512F" >&2; exit 2; }
grep -a -q '^product avx512$' "$out/serial.txt" || { echo "emulate_avx512: the avx512 product did not run" >&2; exit 2; }
[ -n "$status" ] || { echo "emulate_avx512: the test never reported (see $out/serial.txt)" >&2; exit 2; }
[ "$status" = 0 ] || { echo "emulate_avx512: test_conv failed in the emulator (exit $status; -1: killed by a signal)" >&2; exit 1; }
