/*
 * cmd_run.c - `wiredesk run` (the daemon, in the foreground) and `wiredesk once` (poll what is
 * due, then exit): the configuration, the loop, the signals, and the poller.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <systemd/sd-daemon.h>
#include <uv.h>

#include "cli.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "poller.h"

#define STOP_GRACE_MS	10000	/* SIGTERM: how long running transfers may finish */
#define STATUS_MS	10000	/* how often systemd's STATUS= is brought up to date */

struct daemon {
	uv_loop_t	 loop;
	uv_signal_t	 sig_term, sig_int, sig_hup;
	uv_timer_t	 watchdog;	/* WATCHDOG=1 at half of WatchdogSec, when systemd asks */
	uv_timer_t	 status;
	struct poller	*poller;
	struct http_server *http;
	const char	*conf_path;
	bool		 started;	/* the signals and timers are open */
	bool		 closed;
};

static void
close_signals(struct daemon *d)
{
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	uv_close((uv_handle_t *)&d->watchdog, NULL);
	uv_close((uv_handle_t *)&d->status, NULL);
}

static int
metrics(void *ctx, struct buf *out)
{
	return poller_metrics(ctx, out);
}

/* The loop is alive while this runs: a loop stuck anywhere stops it, and systemd restarts us. */
static void
on_watchdog(uv_timer_t *t)
{
	(void)t;
	(void)sd_notify(0, "WATCHDOG=1");
}

static void
on_status(uv_timer_t *t)
{
	struct daemon *d = t->data;
	struct poller_counts n;

	poller_counts(d->poller, &n);
	(void)sd_notifyf(0, "STATUS=%zu sources: %zu due, %zu polling, %zu failing, %zu retired",
	    n.sources, n.due, n.running, n.failing, n.retired);
}

/* The poller has stopped (a signal, or an error of the store): the loop may run dry. */
static void
on_stopped(void *ctx)
{
	struct daemon *d = ctx;

	if (d->started && !d->closed) {
		d->closed = true;
		close_signals(d);
		http_stop(d->http);
	}
}

static void
on_stop(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;

	log_info("stop signal=%s", signum == SIGTERM ? "TERM" : "INT");
	(void)sd_notify(0, "STOPPING=1");
	poller_stop(d->poller, STOP_GRACE_MS);
}

/* SIGHUP: the file again, validated whole; a configuration with any problem keeps the old one. */
static void
on_reload(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;
	struct conf *c = NULL;
	struct buf errs;
	char *line, *save;

	(void)signum;
	(void)sd_notify(0, "RELOADING=1");
	buf_init(&errs, 1u << 20);
	if (conf_load(&c, d->conf_path, &errs) < 0) {
		for (line = errs.data != NULL ? strtok_r(errs.data, "\n", &save) : NULL; line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_error("reload refused: %s", line);
		log_error("reload refused: the running configuration stays");
	} else {
		log_info("reload path=%s", d->conf_path);
		if (d->http != NULL && http_set_outputs(d->http, c) < 0)
			log_error("reload: the server keeps the outputs it had: %s", strerror(ENOMEM));
		poller_reconfigure(d->poller, c);
	}
	buf_release(&errs);
	(void)sd_notify(0, "READY=1");
}

/* The folder of the state file, made when missing (a first run of the demo, say). */
static void
make_state_dir(const char *state)
{
	char dir[4096];
	const char *slash = strrchr(state, '/');

	if (slash == NULL || slash == state || (size_t)(slash - state) >= sizeof(dir))
		return;
	memcpy(dir, state, (size_t)(slash - state));
	dir[slash - state] = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		log_warn("cannot make %s: %s", dir, strerror(errno));
}

static int
daemon_main(int argc, char **argv, bool once)
{
	struct daemon d = { .conf_path = CONF_DEFAULT_PATH };
	struct poller_opts po = { .once = once, .on_stopped = on_stopped, .ctx = &d };
	struct conf *c = NULL;
	int i, r, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			d.conf_path = argv[++i];
		else if (once && strcmp(argv[i], "--all") == 0)
			po.all = true;
		else if (strcmp(argv[i], "--verbose") == 0)
			po.verbose = true;
		else {
			cli_usage(stderr);
			return EX_USAGE;
		}
	}
	if (po.verbose)
		log_set_level(LOG_LEVEL_DEBUG);
	if ((rc = cli_load_conf(d.conf_path, &c)) != EX_OK)
		return rc;
	make_state_dir(c->state);
	if (uv_loop_init(&d.loop) != 0) {
		conf_free(c);
		return EX_OSERR;
	}
	r = poller_new(&d.poller, &d.loop, c, &po);
	if (r == 0) {
		if (!once) {
			d.started = true;
			(void)uv_signal_init(&d.loop, &d.sig_term);
			(void)uv_signal_init(&d.loop, &d.sig_int);
			(void)uv_signal_init(&d.loop, &d.sig_hup);
			d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
			(void)uv_signal_start(&d.sig_term, on_stop, SIGTERM);
			(void)uv_signal_start(&d.sig_int, on_stop, SIGINT);
			(void)uv_signal_start(&d.sig_hup, on_reload, SIGHUP);
			(void)uv_timer_init(&d.loop, &d.watchdog);
			(void)uv_timer_init(&d.loop, &d.status);
		}
		r = poller_start(d.poller);
		if (r == 0 && !once && c->listen[0] != '\0' &&
		    (r = http_start(&d.http, &d.loop, c, metrics, d.poller)) < 0)
			poller_stop(d.poller, 0);
		if (r == 0 && !once) {
			uint64_t usec;

			d.status.data = &d;
			if (sd_watchdog_enabled(0, &usec) > 0)
				(void)uv_timer_start(&d.watchdog, on_watchdog, 0, usec / 2000 > 0 ? usec / 2000 : 1);
			(void)uv_timer_start(&d.status, on_status, 0, STATUS_MS);
			/* The store is open and the sources are scheduled. */
			(void)sd_notify(0, "READY=1");
		}
		(void)uv_run(&d.loop, UV_RUN_DEFAULT);
	}
	if (r == 0)
		r = poller_free(d.poller);
	else
		(void)poller_free(d.poller);
	(void)uv_run(&d.loop, UV_RUN_DEFAULT);	/* what closing left to finish */
	if (uv_loop_close(&d.loop) != 0)
		log_warn("the loop closed with handles open");
	if (r < 0) {
		log_error("stopped: %s", strerror(-r));
		return r == -ENOMEM ? EX_SOFTWARE : EX_IOERR;
	}
	log_info("exit status=0");
	return EX_OK;
}

int
cmd_run(int argc, char **argv)
{
	return daemon_main(argc, argv, false);
}

int
cmd_once(int argc, char **argv)
{
	return daemon_main(argc, argv, true);
}
