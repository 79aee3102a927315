/*
 * sweep_exec.c - see sweep_exec.h.
 *
 * Wire format of a child's result (same binary on both ends, so raw
 * structs): struct wire_head, then nrecs struct study_record, then nfails
 * struct study_failure.  A child that dies or writes a short result is an
 * environment failure (exit 3), never a silently missing variant.
 */
#include "sweep_exec.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "vec.h"

struct wire_head {
	uint64_t variant;
	int32_t status, rc;
	uint64_t session_losses, nrecs, nfails;
	double score, unprog_vm_s;
	int32_t folded;
};

struct slot {
	pid_t pid;                     /* 0: free */
	int fd;
	size_t pos;                    /* in the list */
	char *buf;
	size_t len, cap;
};

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void child(struct study_base *b, size_t variant, int fd)
{
	/* A variant's run grows and frees large arrays: kept in the heap and
	 * reused, rather than mapped and unmapped each time (fresh zeroed
	 * pages, a fault per page touched, munmap), they cost far less. */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	struct study_result res;
	struct diag *d = study_diag(b);
	size_t d0 = diag_stored(d);
	int rc = study_eval(b, variant, &res);
	/* Why the run rejected the variant, said once, by the child. */
	for (size_t i = d0; i < diag_stored(d); i++) {
		const struct diag_entry *e = diag_get(d, i);
		fprintf(stderr, "variant %zu (%s): %s%s%s%s%s: %s\n", variant,
			study_variant_label(b, variant), e->file ? e->file : "", e->file ? ": " : "",
			e->path ? e->path : "", e->path ? ": " : "", diag_severity_name(e->severity),
			e->message);
	}
	fflush(stderr);
	struct wire_head h = { .variant = variant, .status = res.status, .rc = rc,
			       .session_losses = res.session_losses, .nrecs = res.nrecs,
			       .nfails = res.nfails, .score = res.score,
			       .unprog_vm_s = res.unprog_vm_s, .folded = res.folded };
	int ok = write_all(fd, &h, sizeof(h)) == 0 &&
		 write_all(fd, res.recs, res.nrecs * sizeof(*res.recs)) == 0 &&
		 write_all(fd, res.fails, res.nfails * sizeof(*res.fails)) == 0;
	/* No cleanup: the process ends here and the kernel frees it all;
	 * _exit skips stdio buffers inherited from the parent. */
	_exit(ok ? 0 : 3);
}

static int decode(const struct slot *s, struct study_result *res)
{
	struct wire_head h;
	if (s->len < sizeof(h))
		return -1;
	memcpy(&h, s->buf, sizeof(h));
	size_t need = sizeof(h) + h.nrecs * sizeof(struct study_record) +
		      h.nfails * sizeof(struct study_failure);
	if (s->len != need || h.rc != 0)
		return -1;
	memset(res, 0, sizeof(*res));
	res->variant = h.variant;
	res->status = h.status;
	res->session_losses = h.session_losses;
	res->score = h.score;
	res->unprog_vm_s = h.unprog_vm_s;
	res->folded = h.folded != 0;
	res->nrecs = h.nrecs;
	res->nfails = h.nfails;
	res->recs = malloc(h.nrecs ? h.nrecs * sizeof(*res->recs) : 1);
	res->fails = malloc(h.nfails ? h.nfails * sizeof(*res->fails) : 1);
	if (!res->recs || !res->fails) {
		study_result_fini(res);
		return -1;
	}
	memcpy(res->recs, s->buf + sizeof(h), h.nrecs * sizeof(*res->recs));
	memcpy(res->fails, s->buf + sizeof(h) + h.nrecs * sizeof(*res->recs),
	       h.nfails * sizeof(*res->fails));
	return 0;
}

static void draw_progress(FILE *err, size_t done, size_t n)
{
	int width = 40, full = n ? (int)(done * (size_t)width / n) : width;
	fprintf(err, "\r[%.*s%*s] %zu/%zu variants", full,
		"########################################", width - full, "", done, n);
	if (done == n)
		fputc('\n', err);
	fflush(err);
}

/* The parent's state during a sweep. */
struct exec {
	struct study_base *b;
	const size_t *list;
	size_t n;
	unsigned workers;
	FILE *err;
	struct slot *slots;            /* workers entries; a slot's buffer is reused */
	struct pollfd *pfd;            /* workers entries */
	struct study_result *ready;    /* n entries: results not yet handed over */
	bool *have;                    /* n entries: ready[i] holds a result */
	size_t next;                   /* the next position of list to start */
	size_t delivered;              /* positions handed over, in order */
};

/* Starts children while a slot is free.  0 or 3. */
static int start_children(struct exec *x)
{
	for (unsigned w = 0; w < x->workers && x->next < x->n; w++) {
		if (x->slots[w].pid)
			continue;
		int p[2];
		fflush(stdout);
		fflush(x->err);
		if (pipe(p) != 0) {
			fprintf(x->err, "vnetsim sweep: pipe: %s\n", strerror(errno));
			return 3;
		}
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(x->err, "vnetsim sweep: fork: %s\n", strerror(errno));
			close(p[0]);
			close(p[1]);
			return 3;
		}
		if (pid == 0) {
			close(p[0]);
			for (unsigned k = 0; k < x->workers; k++)
				if (x->slots[k].pid)
					close(x->slots[k].fd);
			child(x->b, x->list[x->next], p[1]);
		}
		close(p[1]);
		/* The buffer is kept from one child to the next. */
		x->slots[w].pid = pid;
		x->slots[w].fd = p[0];
		x->slots[w].pos = x->next++;
		x->slots[w].len = 0;
	}
	return 0;
}

/* A child closed its pipe: reaps it and decodes its result.  0 or 3. */
static int finish_child(struct exec *x, struct slot *s)
{
	close(s->fd);
	int st = 0;
	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
	int rc = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || decode(s, &x->ready[s->pos]) != 0) {
		fprintf(x->err, "vnetsim sweep: variant %zu (%s): worker failed (%s %d)\n",
			x->list[s->pos], study_variant_label(x->b, x->list[s->pos]),
			WIFSIGNALED(st) ? "signal" : "exit status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		rc = 3;
	} else {
		x->have[s->pos] = true;
	}
	s->len = 0;
	return rc;
}

/* Reads what a child wrote, with at least 64 KiB of room per read.  0 or 3. */
static int read_child(struct exec *x, struct slot *s)
{
	if (VEC_RESERVE(s->buf, s->cap, s->len + 65536) != 0)
		return 3;
	ssize_t r = read(s->fd, s->buf + s->len, s->cap - s->len);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r > 0) {
		s->len += (size_t)r;
		return 0;
	}
	return finish_child(x, s); /* EOF (or an error): the child is done */
}

/* Waits for the running children and reads what they wrote.  0, 3, or
 * -1 when no child runs. */
static int wait_children(struct exec *x)
{
	nfds_t np = 0;
	unsigned map[64];
	for (unsigned w = 0; w < x->workers && np < 64; w++)
		if (x->slots[w].pid) {
			x->pfd[np] = (struct pollfd){ .fd = x->slots[w].fd, .events = POLLIN };
			map[np++] = w;
		}
	if (np == 0)
		return -1;
	if (poll(x->pfd, np, -1) < 0)
		return errno == EINTR ? 0 : 3;
	int rc = 0;
	for (nfds_t k = 0; k < np && rc == 0; k++)
		if (x->pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
			rc = read_child(x, &x->slots[map[k]]);
	return rc;
}

/* Stops the children still running (only ours, by pid). */
static void stop_children(struct exec *x)
{
	for (unsigned w = 0; x->slots && w < x->workers; w++) {
		if (!x->slots[w].pid)
			continue;
		kill(x->slots[w].pid, SIGTERM);
		close(x->slots[w].fd);
		while (waitpid(x->slots[w].pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
}

int sweep_exec(struct study_base *b, const size_t *list, size_t n, unsigned workers,
	       bool progress, FILE *err, sweep_done_fn done, void *ctx)
{
	if (workers == 0)
		workers = 1;
	struct exec x = { .b = b, .list = list, .n = n, .workers = workers, .err = err,
			  .slots = calloc(workers, sizeof(*x.slots)),
			  .pfd = calloc(workers, sizeof(*x.pfd)),
			  .ready = calloc(n ? n : 1, sizeof(*x.ready)),
			  .have = calloc(n ? n : 1, sizeof(*x.have)) };
	int rc = x.slots && x.pfd && x.ready && x.have ? 0 : 3;
	while (rc == 0 && x.delivered < n) {
		rc = start_children(&x);
		if (rc == 0 && (rc = wait_children(&x)) < 0)
			break; /* nothing runs and nothing is left to start */
		/* Hand over, in list order, what is complete. */
		while (rc == 0 && x.delivered < n && x.have[x.delivered]) {
			rc = done(ctx, x.delivered, &x.ready[x.delivered]);
			study_result_fini(&x.ready[x.delivered]);
			x.have[x.delivered] = false;
			x.delivered++;
			if (progress)
				draw_progress(err, x.delivered, n);
		}
	}
	stop_children(&x);
	for (size_t i = 0; x.ready && i < n; i++)
		study_result_fini(&x.ready[i]);
	for (unsigned w = 0; x.slots && w < workers; w++)
		free(x.slots[w].buf);
	free(x.slots);
	free(x.pfd);
	free(x.ready);
	free(x.have);
	return rc < 0 ? 0 : rc;
}
