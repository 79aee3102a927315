/*
 * sweep_exec.c - see sweep_exec.h.
 *
 * Wire format, same binary on both ends so raw structs: the parent writes
 * a variant number (uint64_t) to a worker's command pipe; the worker
 * answers on its result pipe with struct wire_head, then nrecs struct
 * study_record, then nfails struct study_failure.  A worker that dies or
 * writes a short result is an environment failure (exit 3), never a
 * silently missing variant.
 *
 * Signals: while workers run, SIGTERM and SIGINT are blocked except inside
 * ppoll, so the loop sees them at one place: it stops the workers (the
 * same signal, by pid) and returns 128 + the signal; the caller cleans up
 * (no store commit, temporary files removed) and dies of it.  A parent
 * killed outright (SIGKILL) takes its workers along: each asks the kernel
 * for SIGKILL when its parent dies (PR_SET_PDEATHSIG), and checks the
 * parent is still there after asking (it may have died in between).
 */
/* ppoll (Linux, glibc): the only wait that unblocks signals atomically. */
#define _GNU_SOURCE
#include "sweep_exec.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "progress.h"
#include "vec.h"

struct wire_head {
	uint64_t variant;
	int32_t status, rc;
	uint64_t session_losses, nrecs, nfails;
	double score, unprog_vm_s;
	int32_t folded;
	int32_t reusable;              /* the worker is back at the baseline, waiting */
	uint64_t flows_broken;         /* --rank-by flows */
};

struct slot {
	pid_t pid;                     /* 0: no worker */
	int cmd, res;                  /* pipes: variants to it, results from it */
	bool busy;                     /* evaluating list[pos] */
	size_t pos;                    /* in the list */
	char *buf;                     /* what it wrote of the current result */
	size_t len, cap;
};

/* The signal that stops a sweep: a signal handler can only leave a flag
 * in static storage (sig_atomic_t), read by the loop after ppoll. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

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

/* 1 read, 0 end of file, -1 error. */
static int read_all(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, c + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return 1;
}

/* One variant in the worker: evaluated, reported, rolled back.  false
 * when the worker must end (after its answer, or when it could not give
 * one). */
static bool evaluate_one(struct study_base *b, size_t variant, int fd, bool *ok)
{
	struct study_result res;
	struct diag *d = study_diag(b);
	size_t d0 = diag_stored(d);
	int rc = study_eval(b, variant, &res);
	/* Why the run rejected the variant, said once, by the worker. */
	for (size_t i = d0; i < diag_stored(d); i++) {
		const struct diag_entry *e = diag_get(d, i);
		fprintf(stderr, "variant %zu (%s): %s%s%s%s%s: %s\n", variant,
			study_variant_label(b, variant), e->file ? e->file : "", e->file ? ": " : "",
			e->path ? e->path : "", e->path ? ": " : "", diag_severity_name(e->severity),
			e->message);
	}
	fflush(stderr);
	diag_clear(d);
	bool back = rc == 0 && study_rollback(b, variant) == 0;
	struct wire_head h = { .variant = variant, .status = res.status, .rc = rc,
			       .session_losses = res.session_losses, .nrecs = res.nrecs,
			       .nfails = res.nfails, .score = res.score,
			       .unprog_vm_s = res.unprog_vm_s, .folded = res.folded,
			       .reusable = back, .flows_broken = res.flows_broken };
	*ok = write_all(fd, &h, sizeof(h)) == 0 &&
	      write_all(fd, res.recs, res.nrecs * sizeof(*res.recs)) == 0 &&
	      write_all(fd, res.fails, res.nfails * sizeof(*res.fails)) == 0;
	study_result_fini(&res);
	return *ok && back;
}

/* A worker: variants from cmd until it closes, results to res. */
static void worker(struct study_base *b, int cmd, int res, pid_t parent, const sigset_t *mask)
{
	/* Dies with the parent, even one killed by SIGKILL; the parent may
	 * have died before the request, so look again after making it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(3);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	/* A variant's run grows and frees large arrays: kept in the heap and
	 * reused, rather than mapped and unmapped each time (fresh zeroed
	 * pages, a fault per page touched, munmap), they cost far less. */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	uint64_t v;
	bool ok = true;
	int got;
	while ((got = read_all(cmd, &v, sizeof(v))) == 1 && v < study_variant_count(b) &&
	       evaluate_one(b, (size_t)v, res, &ok))
		;
	/* No cleanup: the kernel frees it all; _exit skips stdio buffers
	 * inherited from the parent. */
	_exit(ok && got >= 0 ? 0 : 3);
}

/* The result at the start of s's buffer, when it is all there: 1 decoded
 * (into res; *used bytes; *reusable from the head), 0 not yet, -1 bad. */
static int decode(const struct slot *s, struct study_result *res, size_t *used, bool *reusable)
{
	struct wire_head h;
	if (s->len < sizeof(h))
		return 0;
	memcpy(&h, s->buf, sizeof(h));
	if (h.nrecs > SIZE_MAX / 2 / sizeof(struct study_record) ||
	    h.nfails > SIZE_MAX / 2 / sizeof(struct study_failure))
		return -1;
	size_t need = sizeof(h) + h.nrecs * sizeof(struct study_record) +
		      h.nfails * sizeof(struct study_failure);
	if (s->len < need)
		return 0;
	if (h.rc != 0)
		return -1;
	memset(res, 0, sizeof(*res));
	res->variant = h.variant;
	res->status = h.status;
	res->session_losses = h.session_losses;
	res->score = h.score;
	res->unprog_vm_s = h.unprog_vm_s;
	res->folded = h.folded != 0;
	res->flows_broken = h.flows_broken;
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
	*used = need;
	*reusable = h.reusable != 0;
	return 1;
}

/* The parent's state during a sweep. */
struct exec {
	struct study_base *b;
	const size_t *list;
	size_t n;
	unsigned workers;
	FILE *err;
	sigset_t wait_mask;            /* the mask before the sweep: ppoll's, the workers' */
	struct slot *slots;            /* workers entries; a slot's buffer is reused */
	struct pollfd *pfd;            /* workers entries */
	struct study_result *ready;    /* n entries: results not yet handed over */
	bool *have;                    /* n entries: ready[i] holds a result */
	size_t next;                   /* the next position of list to start */
	size_t delivered;              /* positions handed over, in order */
};

static void close_worker(struct slot *s, int sig)
{
	if (sig)
		kill(s->pid, sig);
	close(s->cmd);
	close(s->res);
	int st;
	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
	s->busy = false;
	s->len = 0;
}

/* A worker for slot w, forked from this process (the baseline).  0 or 3. */
static int start_worker(struct exec *x, unsigned w)
{
	int c[2], r[2];
	fflush(stdout);
	fflush(x->err);
	if (pipe(c) != 0) {
		fprintf(x->err, "vnetsim sweep: pipe: %s\n", strerror(errno));
		return 3;
	}
	if (pipe(r) != 0) {
		fprintf(x->err, "vnetsim sweep: pipe: %s\n", strerror(errno));
		close(c[0]);
		close(c[1]);
		return 3;
	}
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		fprintf(x->err, "vnetsim sweep: fork: %s\n", strerror(errno));
		close(c[0]);
		close(c[1]);
		close(r[0]);
		close(r[1]);
		return 3;
	}
	if (pid == 0) {
		close(c[1]);
		close(r[0]);
		for (unsigned k = 0; k < x->workers; k++)
			if (x->slots[k].pid) {
				close(x->slots[k].cmd);
				close(x->slots[k].res);
			}
		worker(x->b, c[0], r[1], parent, &x->wait_mask);
	}
	close(c[0]);
	close(r[1]);
	x->slots[w] = (struct slot){ .pid = pid, .cmd = c[1], .res = r[0], .buf = x->slots[w].buf,
				     .cap = x->slots[w].cap };
	return 0;
}

/* Workers started where a slot is empty and work is left; idle workers
 * given the next variant.  0 or 3. */
static int dispatch(struct exec *x)
{
	for (unsigned w = 0; w < x->workers && x->next < x->n; w++) {
		struct slot *s = &x->slots[w];
		if (!s->pid && start_worker(x, w) != 0)
			return 3;
		if (s->busy)
			continue;
		uint64_t v = x->list[x->next];
		if (write_all(s->cmd, &v, sizeof(v)) != 0) {
			fprintf(x->err, "vnetsim sweep: a worker stopped taking variants\n");
			return 3;
		}
		s->busy = true;
		s->pos = x->next++;
		s->len = 0;
	}
	return 0;
}

static int worker_failed(struct exec *x, struct slot *s)
{
	int st = 0;
	close(s->cmd);
	close(s->res);
	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (s->busy)
		fprintf(x->err, "vnetsim sweep: variant %zu (%s): worker failed (%s %d)\n",
			x->list[s->pos], study_variant_label(x->b, x->list[s->pos]),
			WIFSIGNALED(st) ? "signal" : "exit status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	else
		fprintf(x->err, "vnetsim sweep: a worker ended unasked\n");
	s->pid = 0;
	s->busy = false;
	return 3;
}

/* Reads what a worker wrote, with at least 64 KiB of room per read; a
 * complete result goes to ready[].  0 or 3. */
static int read_worker(struct exec *x, struct slot *s)
{
	if (VEC_RESERVE(s->buf, s->cap, s->len + 65536) != 0)
		return 3;
	ssize_t r = read(s->res, s->buf + s->len, s->cap - s->len);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r <= 0 || !s->busy)
		return worker_failed(x, s); /* end of file (or an error) */
	s->len += (size_t)r;
	size_t used = 0;
	bool reusable = false;
	int got = decode(s, &x->ready[s->pos], &used, &reusable);
	if (got < 0 || (got > 0 && used != s->len))
		return worker_failed(x, s);
	if (got == 0)
		return 0;
	x->have[s->pos] = true;
	s->busy = false;
	s->len = 0;
	/* A worker that could not get back to the baseline ends; the next
	 * dispatch forks a fresh one. */
	if (!reusable)
		close_worker(s, 0);
	return 0;
}

/* Waits for the workers and reads what they wrote.  0, 3, 128 + a stop
 * signal, or -1 when no worker is busy. */
static int wait_workers(struct exec *x)
{
	nfds_t np = 0;
	unsigned map[64];
	for (unsigned w = 0; w < x->workers && np < 64; w++)
		if (x->slots[w].pid) {
			x->pfd[np] = (struct pollfd){ .fd = x->slots[w].res, .events = POLLIN };
			map[np++] = w;
		}
	bool busy = false;
	for (unsigned w = 0; w < x->workers; w++)
		busy = busy || x->slots[w].busy;
	if (!busy)
		return -1;
	int pr = ppoll(x->pfd, np, NULL, &x->wait_mask);
	if (stop_signal)
		return 128 + stop_signal;
	if (pr < 0)
		return errno == EINTR ? 0 : 3;
	int rc = 0;
	for (nfds_t k = 0; k < np && rc == 0; k++)
		if (x->pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
			rc = read_worker(x, &x->slots[map[k]]);
	return rc;
}

/* Stops the workers still running (only ours, by pid): sig, or a closed
 * command pipe for those that are done. */
static void stop_workers(struct exec *x, int sig)
{
	for (unsigned w = 0; x->slots && w < x->workers; w++)
		if (x->slots[w].pid)
			close_worker(&x->slots[w], sig ? sig : (x->slots[w].busy ? SIGTERM : 0));
}

/* Hands over, in list order, what is complete.  0 or the callback's. */
static int deliver(struct exec *x, struct progress *progress, sweep_done_fn done, void *ctx)
{
	int rc = 0;
	while (rc == 0 && x->delivered < x->n && x->have[x->delivered]) {
		rc = done(ctx, x->delivered, &x->ready[x->delivered]);
		study_result_fini(&x->ready[x->delivered]);
		x->have[x->delivered] = false;
		x->delivered++;
		progress_update(progress, x->delivered);
	}
	return rc;
}

int sweep_exec(struct study_base *b, const size_t *list, size_t n, unsigned workers,
	       struct progress *progress, FILE *err, sweep_done_fn done, void *ctx)
{
	if (workers == 0)
		workers = 1;
	if (workers > 64)
		workers = 64;
	struct exec x = { .b = b, .list = list, .n = n, .workers = workers, .err = err,
			  .slots = calloc(workers, sizeof(*x.slots)),
			  .pfd = calloc(workers, sizeof(*x.pfd)),
			  .ready = calloc(n ? n : 1, sizeof(*x.ready)),
			  .have = calloc(n ? n : 1, sizeof(*x.have)) };
	/* The baseline's state is kept once, here: every worker, and every
	 * fresh one that replaces a worker, starts with it. */
	int rc = x.slots && x.pfd && x.ready && x.have && study_keep_baseline(b) == 0 ? 0 : 3;
	struct sigaction sa = { .sa_handler = on_stop_signal }, old_term, old_int;
	sigemptyset(&sa.sa_mask);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	stop_signal = 0;
	sigprocmask(SIG_BLOCK, &block, &x.wait_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	while (rc == 0 && x.delivered < n) {
		rc = dispatch(&x);
		if (rc == 0 && (rc = wait_workers(&x)) < 0)
			break; /* nothing runs and nothing is left to start */
		if (rc == 0)
			rc = deliver(&x, progress, done, ctx);
	}
	int sig = rc > 128 ? rc - 128 : 0;
	stop_workers(&x, sig);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigprocmask(SIG_SETMASK, &x.wait_mask, NULL);
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
