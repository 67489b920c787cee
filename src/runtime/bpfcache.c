/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiled-filter cache.  Compiling Docker's or hardrun's profile costs
 * 15-20 ms of every create and exec; the same profile text always compiles
 * to the same program with the same libseccomp on the same architecture.
 * An entry, <root>/.hardrun-bpf/<fnv1a64 of the key>, holds the key itself
 * (the seccomp object as canonical JSON, with hardrun's and libseccomp's
 * versions and the machine) and the program.  A hit needs the whole key to
 * match byte for byte, so a hash collision only costs a compile; entries
 * are used only from a directory and files owned by us that no one else can
 * write, and are replaced atomically.  The state root is root's alone
 * already: whoever could write an entry could also write state.json.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bpfcache.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"
#include "statedir.h"

#define CACHE_DIR ".hardrun-bpf"
#define MAGIC "HRBPF1\n"
#define MAX_ENTRY (1u << 20)

static char *cache_key(const json_t *src)
{
	cleanup_free char *canon = NULL;
	struct utsname u;
	char lib[32];

	if (!json_is_object(src) || uname(&u) < 0)
		return NULL;
	canon = json_dumps(src, JSON_COMPACT | JSON_SORT_KEYS);
	if (!canon)
		return NULL;
	hr_seccomp_lib_version(lib, sizeof(lib));
	return xasprintf("hardrun %s libseccomp %s %s\n%s", HR_VERSION, lib, u.machine, canon);
}

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* Ours alone: owned by us, no group or other write. */
static bool trusted(int fd, bool dir)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) && st.st_uid == geteuid() &&
	       (st.st_mode & 022) == 0;
}

static int open_dir(int root_fd)
{
	int fd = openat(root_fd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && mkdirat(root_fd, CACHE_DIR, 0700) == 0)
		fd = openat(root_fd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && !trusted(fd, true)) {
		hr_log_warn("seccomp cache `%s`: not ours alone, not used", CACHE_DIR);
		close(fd);
		return -1;
	}
	return fd;
}

/* An entry: MAGIC, u32 key length, key, u32 flags, u8 notify, u16 instructions, the program. */
static struct hr_bpf *read_entry(int dir_fd, const char *name, const char *key)
{
	cleanup_close int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t len = 0, klen = strlen(key), off = sizeof(MAGIC) - 1;
	struct hr_bpf *b;
	uint32_t kl, flags;
	uint16_t n;
	uint8_t notify;
	struct hr_err *tmp = NULL;

	if (fd < 0 || !trusted(fd, false))
		return NULL;
	if (hr_read_fd_all(fd, name, &buf, &len, &tmp) < 0) {
		hr_err_free(&tmp);
		return NULL;
	}
	if (len < off + 4 || len > MAX_ENTRY || memcmp(buf, MAGIC, off) != 0)
		return NULL;
	memcpy(&kl, buf + off, 4);
	off += 4;
	if (kl != klen || len < off + kl + 4 + 1 + 2 || memcmp(buf + off, key, klen) != 0)
		return NULL;
	off += kl;
	memcpy(&flags, buf + off, 4);
	notify = (uint8_t)buf[off + 4];
	memcpy(&n, buf + off + 5, 2);
	off += 7;
	if (n == 0 || n > BPF_MAXINSNS || len != off + (size_t)n * sizeof(struct sock_filter))
		return NULL;
	b = xcalloc(1, sizeof(*b));
	b->filter = xmalloc((size_t)n * sizeof(struct sock_filter));
	memcpy(b->filter, buf + off, (size_t)n * sizeof(struct sock_filter));
	b->len = n;
	b->flags = flags;
	b->notify = notify != 0;
	return b;
}

static void write_entry(int dir_fd, const char *name, const char *key, const struct hr_bpf *b)
{
	uint32_t kl = (uint32_t)strlen(key), flags = b->flags;
	uint8_t notify = b->notify;
	uint16_t n = b->len;
	size_t plen = (size_t)n * sizeof(struct sock_filter);
	size_t len = sizeof(MAGIC) - 1 + 4 + kl + 4 + 1 + 2 + plen, off = 0;
	cleanup_free char *buf = NULL;
	cleanup_free char *tmpname = xasprintf("%s.%d", name, (int)getpid());
	cleanup_close int fd = -1;

	if (len > MAX_ENTRY)
		return;
	buf = xmalloc(len);
	memcpy(buf, MAGIC, sizeof(MAGIC) - 1);
	off = sizeof(MAGIC) - 1;
	memcpy(buf + off, &kl, 4);
	memcpy(buf + off + 4, key, kl);
	off += 4 + kl;
	memcpy(buf + off, &flags, 4);
	buf[off + 4] = (char)notify;
	memcpy(buf + off + 5, &n, 2);
	memcpy(buf + off + 7, b->filter, plen);
	fd = openat(dir_fd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || hr_write_all(fd, buf, len) < 0 || renameat(dir_fd, tmpname, dir_fd, name) < 0) {
		hr_log_debug("seccomp cache: entry `%s` not written", name);
		if (fd >= 0)
			unlinkat(dir_fd, tmpname, 0);
	}
}

int hr_bpf_cached(int root_fd, const json_t *src, const struct hr_seccomp *sc, struct hr_bpf **out, struct hr_err **err)
{
	cleanup_free char *key = cache_key(src);
	cleanup_close int dir_fd = -1;
	char name[32];

	if (key && root_fd >= 0)
		dir_fd = open_dir(root_fd);
	if (dir_fd >= 0) {
		snprintf(name, sizeof(name), "%016" PRIx64, fnv1a64(key, strlen(key)));
		*out = read_entry(dir_fd, name, key);
		if (*out) {
			hr_log_debug("seccomp: filter `%s` from the cache (%u instructions)", name, (*out)->len);
			return 0;
		}
	}
	if (hr_seccomp_compile_bounded(sc, HR_SECCOMP_CPU_SECONDS, out, err) < 0)
		return -1;
	if (dir_fd >= 0)
		write_entry(dir_fd, name, key, *out);
	return 0;
}
