/* A program of a runtime the analysis cannot recognise: hand-written, no libc, no unwind
   information, stripped of its symbols. It writes a line and exits. */
        .globl _start
        .text
_start:
        mov $1, %edi
        lea msg(%rip), %rsi
        mov $len, %edx
        mov $1, %eax
        syscall
        xor %edi, %edi
        mov $60, %eax
        syscall
        .section .rodata
msg:    .ascii "bare\n"
        len = . - msg
