#pragma once

#include <functional>
#include <memory>

#include <QByteArray>

#include "core/server/http/httpheaders.h"
#include "core/server/http/httpresponse.h"

namespace Aq::Server
{
    class HttpResponderState;

    // The way a handler answers one request. A cheap handle: copy it, move it to another thread, keep it for a
    // long-poll. Every member may be called from any thread; the work is done on the connection's thread (queued
    // when called elsewhere), and is silently dropped when the client has gone in the meantime.
    //
    // Answer exactly once: either send(), or startStream() + writeChunk()* + finishStream(). When the last copy of
    // a responder is destroyed without an answer, the client gets a 500 (or, mid-stream, a cut connection) instead
    // of waiting forever.
    class HttpResponder
    {
    public:
        HttpResponder();   // null: every call does nothing
        bool isNull() const;

        void send(HttpResponse response) const;

        // False once the client went away (or the server closed the connection) before the answer was complete.
        bool isConnected() const;
        // Called once, on the server's thread, if the client goes away before the answer is complete (so a
        // long-poll can stop waiting). If it has already gone, called at once on the calling thread. Not called
        // after a complete answer.
        void onDisconnected(std::function<void()> callback) const;

        // Chunked streaming (close-delimited for HTTP/1.0 clients; headers only for HEAD). Content-Length,
        // Transfer-Encoding and Connection in headers are ignored. Call these from one thread at a time.
        void startStream(int statusCode, const QByteArray &contentType, const HttpHeaders &headers = {}) const;
        void writeChunk(const QByteArray &data) const;   // an empty chunk is ignored (it would end the stream)
        void finishStream() const;
        // Cuts the connection: the client sees a truncated response rather than a clean end (for a stream whose
        // source failed halfway).
        void abort() const;

        // Bytes given to writeChunk() (or send()) and not yet written to the network: pace a producer with it.
        qint64 pendingBytes() const;
        qint64 lowWaterMark() const;
        // Called on the server's thread after output was written while pendingBytes() is below lowWaterMark(), until
        // the answer is complete. A producer writes until pendingBytes() passes its own high mark and returns.
        void onWritable(std::function<void()> callback) const;

    private:
        friend class HttpConnection;
        class Token;

        explicit HttpResponder(const std::shared_ptr<HttpResponderState> &state);

        std::shared_ptr<Token> m_token;
    };

    class HttpRequest;
    // Invoked on the HttpServer's thread for each request, one at a time per connection, in order.
    using HttpHandler = std::function<void(const HttpRequest &request, HttpResponder responder)>;
}
