/* test_fetch.c - which addresses a transfer may connect to without allow_private (catalogue 42). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "fetch.h"

static bool
public(const char *text)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, text, &a4.sin_addr) == 1)
		return fetch_address_public((struct sockaddr *)&a4);
	if (inet_pton(AF_INET6, text, &a6.sin6_addr) == 1)
		return fetch_address_public((struct sockaddr *)&a6);
	fail_msg("not an address: %s", text);
	return false;
}

static void
test_special_addresses_are_refused(void **state)
{
	static const char *const refused[] = {
		"127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255",
		"100.64.0.1", "100.127.255.255", "169.254.169.254", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9",
		"224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1",
		"64:ff9b::a9fe:a9fe", "64:ff9b::808:808", "64:ff9b:1::1", "fc00::1", "fd12:3456::1",
		"fe80::1", "fec0::1", "ff02::1", "2001:db8::1", "2001::1", "2002:7f00:1::1", "2002:a9fe:a9fe::",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (public(refused[i]))
			fail_msg("%s was allowed", refused[i]);
}

static void
test_public_addresses_are_allowed(void **state)
{
	static const char *const allowed[] = {
		"8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.1", "172.15.255.255",
		"172.32.0.1", "192.169.0.1", "198.20.0.1", "223.255.255.254", "11.0.0.1", "126.255.255.255",
		"128.0.0.1", "169.253.0.1", "::ffff:8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001::200e",
		"2002:808:808::1", "2001:4860::8888",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!public(allowed[i]))
			fail_msg("%s was refused", allowed[i]);
}

static void
test_other_families_are_refused(void **state)
{
	struct sockaddr sa = { .sa_family = AF_UNIX };

	(void)state;
	assert_false(fetch_address_public(&sa));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_special_addresses_are_refused),
		cmocka_unit_test(test_public_addresses_are_allowed),
		cmocka_unit_test(test_other_families_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
