// SPDX-License-Identifier: MIT
// A C++ program, as a C++ VMM would be, compiled against the installed
// headers (extern "C") and linked against libdirectflip-client.so.0.
#include <directflip/client.h>
#include <directflip/protocol.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int failures;

static void check(bool ok, const char *what)
{
	if (!ok) {
		std::fprintf(stderr, "FAIL: %s\n", what);
		failures++;
	}
}

int main()
{
	char dir[] = "/tmp/df-cxx-XXXXXX";
	if (!mkdtemp(dir)) {
		std::perror("mkdtemp");
		return 1;
	}
	std::string path = std::string(dir) + "/control";

	struct df_client *c = nullptr;
	check(df_client_connect(path.c_str(), &c) == -ENOENT && !c,
	      "connecting to a missing socket gives -ENOENT and no client");

	int srv = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {};
	sa.sun_family = AF_UNIX;
	std::snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path.c_str());
	check(srv >= 0 && bind(srv, reinterpret_cast<struct sockaddr *>(&sa), sizeof(sa)) == 0 &&
		      listen(srv, 1) == 0,
	      "a listening socket for the client");
	check(df_client_connect(path.c_str(), &c) == 0 && c && df_client_fd(c) >= 0,
	      "df_client_connect reaches a listening socket");
	df_client_close(c);

	char *out = nullptr;
	check(df_encode_request(7, "status", nullptr, &out) == 0 && out &&
		      std::strstr(out, "\"method\"") && std::strstr(out, "status"),
	      "df_encode_request from C++");
	std::free(out);
	check(df_encode_request(-1, "status", nullptr, &out) == -EINVAL, "a bad id is -EINVAL");

	if (srv >= 0)
		close(srv);
	unlink(path.c_str());
	rmdir(dir);
	return failures ? 1 : 0;
}
