#pragma once

#include <chrono>
#include <functional>

#include <QByteArray>
#include <QString>

namespace Aq::Server
{
    // Consulted once the head of a request is complete, before any body byte is buffered. Returns the largest body
    // (after chunked decoding) the route accepts; a negative value means "use maxBodyBytes".
    using HttpBodyLimitHook = std::function<qint64(const QByteArray &method, const QString &path)>;

    // Everything a client could otherwise use to make the server hold memory, sockets or time.
    struct HttpServerLimits
    {
        qint64 maxBodyBytes = 16 * 1024 * 1024;
        qint64 maxHeaderBytes = 64 * 1024;      // request line + headers (and, separately, trailers)
        qint64 maxUriBytes = 8 * 1024;
        std::chrono::milliseconds idleTimeout {60'000};          // keep-alive wait for the next request; also a stalled write
        std::chrono::milliseconds requestTimeout {30'000};       // first byte of a request to its last byte
        std::chrono::milliseconds tlsHandshakeTimeout {10'000};
        std::chrono::milliseconds lingerTimeout {2'000};         // after an error reply, how long unread input is drained
        int maxConnections = 2'000;
        qint64 outputLowWaterMark = 256 * 1024;  // onWritable fires below it; pipelined requests wait above it
        HttpBodyLimitHook bodyLimitHook;
    };
}
