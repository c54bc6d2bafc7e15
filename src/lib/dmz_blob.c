// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exec trampoline (src/dmz/dmz.c), built before the library and carried in it as bytes:
 * selfclone.c copies them into a sealed memfd that each container's init executes last.
 */
#ifndef VSL_DMZ_BIN
#error "VSL_DMZ_BIN names the built trampoline (the Makefile passes it)"
#endif

__asm__(".section .rodata\n"
        ".globl vsl_dmz_blob\n"
        ".type vsl_dmz_blob, @object\n"
        ".balign 16\n"
        "vsl_dmz_blob:\n"
        ".incbin \"" VSL_DMZ_BIN "\"\n"
        "vsl_dmz_blob_end:\n"
        ".balign 8\n"
        ".globl vsl_dmz_blob_size\n"
        ".type vsl_dmz_blob_size, @object\n"
        "vsl_dmz_blob_size:\n"
        ".quad vsl_dmz_blob_end - vsl_dmz_blob\n"
        ".previous\n");
