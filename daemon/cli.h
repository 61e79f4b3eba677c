/* cli.h - the subcommands of the wiredesk command line, each in its own cmd_*.c. */
#ifndef WIREDESK_CLI_H
#define WIREDESK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define READ_CHUNK	(64u << 10)	/* bytes read and pushed to the parser at a time */
#define FLUSH_AT	(64u << 10)	/* output is written out once this much is buffered */

/* The usage text, on f. */
void	cli_usage(FILE *f);

/*
 * The input a command names: "-" is stdin, else the file opened read-only. The descriptor, or -1
 * with "cannot open" on stderr (exit with EX_NOINPUT). Close what is not STDIN_FILENO.
 */
int	cli_open_input(const char *path);

/* Writes all n bytes to fd, retrying on EINTR; 0 or -errno. */
int	write_all(int fd, const char *p, size_t n);

/* Each takes the arguments after "wiredesk" (argv[0] is the subcommand) and returns an exit status. */
int	cmd_convert(int argc, char **argv, bool convert);	/* parse, convert */
int	cmd_cluster(int argc, char **argv);
int	cmd_check_config(int argc, char **argv);
int	cmd_import_opml(int argc, char **argv);
int	cmd_export_opml(int argc, char **argv);
int	cmd_scrape(int argc, char **argv);
int	cmd_discover(int argc, char **argv);
int	cmd_extract(int argc, char **argv);
int	cmd_run(int argc, char **argv);
int	cmd_once(int argc, char **argv);

struct conf;

/* Loads the configuration at path, every problem on stderr as "FILE:LINE: key: problem"; an exit status. */
int	cli_load_conf(const char *path, struct conf **ret);

#endif
