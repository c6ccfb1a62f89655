#pragma once

namespace Aq::Rest
{
    // Every TCP connection this process opens sends at once, without Nagle's delay (TCP_NODELAY), as curl, Go's
    // net/http, Node's http and gRPC do by default. Qt 6.4's QNetworkAccessManager leaves Nagle on for HTTP/1.1 and
    // offers no way to reach its sockets; it writes a request body in 16 KiB pieces, so the last piece waited for
    // the server's delayed ACK (about 25 ms per publish request on loopback). The option is set in connect(2), which
    // tcpnodelay.cpp defines over libc's for the whole process. True when that definition is linked in: RestClient
    // asks, which is what pulls it out of the static library.
    bool lowDelayConnections();
}
