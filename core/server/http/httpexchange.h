#pragma once

#include <functional>

#include <QByteArray>
#include <QHostAddress>

#include "core/server/http/httpheaders.h"

namespace Aq::Server
{
    class HttpRequest;

    // One request and its answer, as an access log records it.
    struct HttpExchange
    {
        QByteArray method;        // empty when the request line never arrived whole
        QByteArray target;
        QByteArray userAgent;
        QByteArray referer;
        QByteArray protocol;      // "HTTP/1.1"
        QHostAddress peer;
        int status = 0;
        qint64 requestBytes = 0;  // the body
        qint64 responseBytes = 0; // the body, as written (a stream: every chunk)
        double latencySeconds = 0;
        bool completed = true;    // false: the connection was cut before the answer ended
    };

    // What the server calls around every exchange, on its thread; set before listen().
    struct HttpServerHooks
    {
        // Adds headers to each response head, errors from the HTTP layer included (CORS).
        std::function<void(const HttpRequest &request, HttpHeaders &headers)> decorateResponse;
        // Once each answer is complete, or cut.
        std::function<void(const HttpExchange &exchange)> exchangeFinished;
    };
}
