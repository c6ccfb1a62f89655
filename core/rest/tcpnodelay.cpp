#include "core/rest/tcpnodelay.h"

#include <cerrno>

#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace
{
    using Connect = int (*)(int, const sockaddr *, socklen_t);

    Connect nextConnect()
    {
        static const Connect next = reinterpret_cast<Connect>(dlsym(RTLD_NEXT, "connect"));
        return next;
    }

    void setNoDelayOnTcp(int fd, const sockaddr *address)
    {
        if (!address || (address->sa_family != AF_INET && address->sa_family != AF_INET6))
            return;
        int type = 0;
        socklen_t size = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) != 0 || type != SOCK_STREAM)
            return;
        const int on = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);   // a socket that refuses keeps Nagle
    }
}

extern "C" int connect(int fd, const sockaddr *address, socklen_t length)
{
    const int savedErrno = errno;
    setNoDelayOnTcp(fd, address);
    errno = savedErrno;
    const Connect next = nextConnect();
    if (!next) {
        errno = ENOSYS;
        return -1;
    }
    return next(fd, address, length);
}

namespace Aq::Rest
{
    bool lowDelayConnections()
    {
        return nextConnect() != nullptr;
    }
}
