/* main.c - the wiredesk command line: subcommands over the feeds/ library and the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "log.h"

void
cli_usage(FILE *f)
{
	fprintf(f,
	    "usage: wiredesk run [--config FILE] [--verbose]\n"
	    "       wiredesk once [--all] [--config FILE] [--verbose]\n"
	    "       wiredesk parse [--base URL] [--charset CHARSET] FILE|-\n"
	    "       wiredesk convert --to rss|atom|json [--base URL] [--charset CHARSET] [--self URL] FILE|-\n"
	    "       wiredesk cluster [--threshold X] [--trailer TEXT]... FILE.jsonl|-\n"
	    "       wiredesk scrape --rules FILE [--base URL] [--charset CHARSET] PAGE|-\n"
	    "       wiredesk discover [--allow-private] [--base URL] [--charset CHARSET] PAGE|-|URL\n"
	    "       wiredesk extract [--base URL] [--charset CHARSET] [--rules FILE] PAGE|-\n"
	    "       wiredesk check-config [FILE]\n"
	    "       wiredesk import-opml FILE|-\n"
	    "       wiredesk export-opml [--config FILE]\n"
	    "       wiredesk --version\n"
	    "\n"
	    "run      the daemon, in the foreground: poll the sources of the configuration\n"
	    "         (default " CONF_DEFAULT_PATH ") until SIGTERM; SIGHUP reloads it\n"
	    "once     poll every due source (every source with --all), store, exit\n"
	    "parse    read one RSS, Atom or JSON Feed document and print it as JSON Feed 1.1\n"
	    "convert  read one feed document and print it as RSS 2.0, Atom 1.0 or JSON Feed 1.1;\n"
	    "         --self names the URL the output is served from\n"
	    "cluster  read items, one JSON object a line, and print \"id<TAB>story\" for each, in order;\n"
	    "         --threshold is the title similarity that joins a story (default 0.10);\n"
	    "         --trailer adds a marker where boilerplate starts in a lead\n"
	    "scrape   read a saved HTML page by the XPath rules of the one [source] section (type = html)\n"
	    "         of FILE and print its items as JSON Feed 1.1; --base is the page's URL (default:\n"
	    "         the source's url)\n"
	    "discover print the feeds an HTML page advertises, \"URL<TAB>TYPE[<TAB>TITLE]\" a line: a saved\n"
	    "         page, or an http(s) URL fetched as the daemon fetches (a private address only with\n"
	    "         --allow-private)\n"
	    "extract  print the main content of a saved article page as sanitized HTML: by the content\n"
	    "         rule of FILE's source when it has one, else by text density\n"
	    "check-config  validate the configuration (default " CONF_DEFAULT_PATH "):\n"
	    "         every problem as FILE:LINE: key: problem, exit 78\n"
	    "import-opml  print a [source] section for each feed of an OPML subscription list\n"
	    "export-opml  print the configured feed sources as OPML 2.0\n");
}

int
cli_open_input(const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		log_error("cannot open '%s': %s", path, strerror(errno));
	return fd;
}

int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (getenv("JOURNAL_STREAM") != NULL)
		log_set_journal(1);
	if (argc < 2) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "once") == 0)
		return cmd_once(argc - 1, argv + 1);
	if (strcmp(argv[1], "parse") == 0)
		return cmd_convert(argc - 1, argv + 1, false);
	if (strcmp(argv[1], "convert") == 0)
		return cmd_convert(argc - 1, argv + 1, true);
	if (strcmp(argv[1], "cluster") == 0)
		return cmd_cluster(argc - 1, argv + 1);
	if (strcmp(argv[1], "scrape") == 0)
		return cmd_scrape(argc - 1, argv + 1);
	if (strcmp(argv[1], "discover") == 0)
		return cmd_discover(argc - 1, argv + 1);
	if (strcmp(argv[1], "extract") == 0)
		return cmd_extract(argc - 1, argv + 1);
	if (strcmp(argv[1], "check-config") == 0)
		return cmd_check_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "import-opml") == 0)
		return cmd_import_opml(argc - 1, argv + 1);
	if (strcmp(argv[1], "export-opml") == 0)
		return cmd_export_opml(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("wiredesk %s\n", WIREDESK_VERSION);
		return EX_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		cli_usage(stdout);
		return EX_OK;
	}
	cli_usage(stderr);
	return EX_USAGE;
}
