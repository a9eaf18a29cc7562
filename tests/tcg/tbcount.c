// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin that counts how often each translation block of the
 * guest kernel runs, for scripts/tcg-count: at exit it writes one line
 * per block, "<guest address, hex> <instructions> <executions>", to the
 * file named by its argument out=PATH.
 *
 * QEMU's plugin header is not packaged, so the few declarations used are
 * written out below, for version 1 of the plugin interface, which the
 * qemu-system-x86 (7.2) of Debian 12 loads.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Kernel half of the x86_64 address space. */
#define KERNEL_START	0xffff800000000000ULL
#define TABLE_BITS	22

struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t count;		/* added to by the translated code */
};

static struct block *table;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static char out_path[4096] = "tbcount.txt";

/* The entry of a block; a block translated again gets the same one. */
static struct block *block_entry(uint64_t vaddr, uint64_t insns)
{
	uint64_t i = (vaddr * 0x9E3779B97F4A7C15ULL) >> (64 - TABLE_BITS);
	const uint64_t mask = (1ULL << TABLE_BITS) - 1;
	uint64_t tries;

	for (tries = 0; tries <= mask; tries++, i++) {
		struct block *b = &table[i & mask];

		if (!b->vaddr) {
			b->vaddr = vaddr;
			b->insns = insns;
			return b;
		}
		if (b->vaddr == vaddr && b->insns == insns)
			return b;
	}
	return NULL;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	if (vaddr < KERNEL_START)
		return;
	pthread_mutex_lock(&table_lock);
	b = block_entry(vaddr, qemu_plugin_tb_n_insns(tb));
	pthread_mutex_unlock(&table_lock);
	if (b)
		qemu_plugin_register_vcpu_tb_exec_inline(tb,
				QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
	FILE *f = fopen(out_path, "w");
	uint64_t i;

	if (!f) {
		perror(out_path);
		return;
	}
	for (i = 0; i < (1ULL << TABLE_BITS); i++)
		if (table[i].count)
			fprintf(f, "%llx %llu %llu\n",
				(unsigned long long)table[i].vaddr,
				(unsigned long long)table[i].insns,
				(unsigned long long)table[i].count);
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4)) {
			fprintf(stderr, "tbcount: unknown argument %s\n", argv[i]);
			return -1;
		}
		snprintf(out_path, sizeof(out_path), "%s", argv[i] + 4);
	}
	table = calloc(1ULL << TABLE_BITS, sizeof(*table));
	if (!table)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
