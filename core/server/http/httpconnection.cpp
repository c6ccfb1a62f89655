#include "core/server/http/httpconnection.h"

#include <charconv>
#include <chrono>
#include <exception>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

#include <http_parser.h>

#include <QDateTime>
#include <QLocale>
#include <QSslSocket>
#include <QTcpSocket>

#include "core/common/apierror.h"
#include "core/server/http/httplogging.h"
#include "core/server/http/httpresponderstate.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        constexpr qsizetype READ_CHUNK = 64 * 1024;
        // What Qt may read ahead from the kernel while we are not reading (a request is with the handler): beyond
        // it the kernel's window closes and the client waits.
        constexpr qint64 SOCKET_READ_BUFFER = 256 * 1024;
        // Bodies up to this size go out in the same write as the head: one copy, one syscall.
        constexpr qsizetype INLINE_BODY_LIMIT = 64 * 1024;
        // After refusing a request we read and drop at most this much of what the client still sends.
        constexpr qint64 MAX_DISCARD = 1024 * 1024;

        const QByteArray CONTINUE_RESPONSE = "HTTP/1.1 100 Continue\r\n\r\n"_ba;
        const QByteArray LAST_CHUNK = "0\r\n\r\n"_ba;

        // IMF-fixdate, formatted at most once a second per thread.
        const QByteArray &httpDate()
        {
            thread_local qint64 cachedSecond = -1;
            thread_local QByteArray cached;
            const qint64 now = QDateTime::currentSecsSinceEpoch();
            if (now != cachedSecond) {
                cachedSecond = now;
                cached = QLocale::c()
                             .toString(QDateTime::fromSecsSinceEpoch(now, Qt::UTC), u"ddd, dd MMM yyyy hh:mm:ss 'GMT'")
                             .toLatin1();
            }
            return cached;
        }

        void appendNumber(QByteArray &out, qint64 value, int base = 10)
        {
            char buffer[24];
            const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value, base);
            out.append(buffer, qsizetype(result.ptr - buffer));
        }

        bool hasCloseToken(QByteArrayView connectionValue)
        {
            return connectionValue.toByteArray().toLower().contains("close");
        }

        bool isManagedHeader(QByteArrayView name)
        {
            // Framing and connection management are ours: a handler's value would contradict what we send.
            return HttpHeaders::nameEquals(name, "Content-Length") || HttpHeaders::nameEquals(name, "Transfer-Encoding")
                || HttpHeaders::nameEquals(name, "Connection") || HttpHeaders::nameEquals(name, "Date")
                || HttpHeaders::nameEquals(name, "Server") || HttpHeaders::nameEquals(name, "Keep-Alive");
        }

        bool hasNoBody(int statusCode)
        {
            return (statusCode < 200) || (statusCode == 204) || (statusCode == 304);
        }

        HttpResponse errorResponse(int statusCode, const QString &message)
        {
            switch (statusCode) {
            case 400: return HttpResponse::fromError(ApiError::invalidArgument(message));
            case 413: return HttpResponse::fromError(ApiError::payloadTooLarge(message));
            case 503: {
                HttpResponse response = HttpResponse::fromError(ApiError::unavailable(message));
                response.setHeader("Retry-After", "1");
                return response;
            }
            default: return HttpResponse::error(statusCode, message);
            }
        }
    }

    HttpConnection::HttpConnection(QTcpSocket *socket, const HttpServerLimits &limits, const HttpHandler *handler,
                                   const HttpServerHooks *hooks, Mode mode, QObject *parent)
        : QObject {parent}
        , m_socket {socket}
        , m_sslSocket {qobject_cast<QSslSocket *>(socket)}
        , m_handler {handler}
        , m_hooks {hooks}
        , m_mode {mode}
        , m_parser {limits}
    {
        m_socket->setParent(this);
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_socket->setReadBufferSize(SOCKET_READ_BUFFER);
        m_peerAddress = m_socket->peerAddress();
        m_peerPort = m_socket->peerPort();
        const qint64 now = monotonicMs();
        m_idleSince = now;
        m_lastWriteProgress = now;

        connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::handleReadyRead);
        connect(m_socket, &QIODevice::bytesWritten, this, &HttpConnection::handleBytesWritten);
        connect(m_socket, &QAbstractSocket::disconnected, this, &HttpConnection::handleDisconnected);
        if (m_sslSocket)
            connect(m_sslSocket, &QSslSocket::encryptedBytesWritten, this, &HttpConnection::handleBytesWritten);

        // Start from the event loop, not here: closed() must not be emitted before the server has connected to it,
        // and a TLS socket may already hold the first request.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_closed)
                    return;
                if (m_socket->state() != QAbstractSocket::ConnectedState) {
                    teardown();
                } else if (m_mode == Mode::RejectOverCapacity) {
                    respondWithError(503, u"the server is at its limit of %1 connections; retry later"_s
                                              .arg(m_parser.limits().maxConnections));
                } else {
                    processInput();
                }
            },
            Qt::QueuedConnection);
    }

    HttpConnection::~HttpConnection()
    {
        QObject::disconnect(m_socket, nullptr, this, nullptr);
        if (!m_closed) {
            m_closed = true;
            if (auto state = std::move(m_current))
                state->detach(HttpResponderState::Detach::ClientGone);
        }
    }

    qint64 HttpConnection::monotonicMs()
    {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    }

    HttpConnection::Mode HttpConnection::mode() const
    {
        return m_mode;
    }

    bool HttpConnection::isClosed() const
    {
        return m_closed;
    }

    bool HttpConnection::isBusy() const
    {
        return !m_closed && m_phase != Phase::Reading;
    }

    qint64 HttpConnection::pendingOutputBytes() const
    {
        qint64 pending = m_socket->bytesToWrite();
        if (m_sslSocket)
            pending += m_sslSocket->encryptedBytesToWrite();
        return pending;
    }

    const HttpResponderState *HttpConnection::currentResponder() const
    {
        return m_current.get();
    }

    void HttpConnection::handleReadyRead()
    {
        if (m_closed)
            return;
        if (m_phase == Phase::Closing) {
            if (m_lingering)
                discardInput();
            return;
        }
        if ((m_phase == Phase::Reading) && !m_waitingForDrain)
            processInput();
    }

    void HttpConnection::handleBytesWritten()
    {
        if (m_closed)
            return;
        m_lastWriteProgress = monotonicMs();
        handleOutputProgress();
    }

    void HttpConnection::handleOutputProgress()
    {
        // Also called after our own flush(): Qt does not emit bytesWritten() from a flush() made inside a
        // bytesWritten() handler, so what such a flush wrote would otherwise never be noticed.
        if (m_closed)
            return;
        const qint64 pending = pendingOutputBytes();
        if (m_current) {
            m_current->setSocketBytes(pending);
            if ((m_phase == Phase::Streaming) && (m_current->pendingBytes() < m_current->lowWaterMark())) {
                const std::shared_ptr<HttpResponderState> keep = m_current;   // the callback may finish the stream
                keep->notifyWritable();
                if (m_closed)
                    return;
            }
        }
        if ((m_phase == Phase::Closing) && !m_lingering && (pendingOutputBytes() == 0)) {
            finishClose();
        } else if ((m_phase == Phase::Reading) && m_waitingForDrain && (pendingOutputBytes() <= m_parser.limits().outputLowWaterMark)) {
            m_waitingForDrain = false;
            processInput();
        }
    }

    void HttpConnection::handleDisconnected()
    {
        teardown();
    }

    bool HttpConnection::readMore()
    {
        const qint64 available = m_socket->bytesAvailable();
        if (available <= 0)
            return false;
        const qsizetype wanted = qsizetype(std::min<qint64>(available, READ_CHUNK));
        m_input.resize(wanted);   // keeps its capacity: no allocation per read
        m_inputPos = 0;
        const qint64 got = m_socket->read(m_input.data(), wanted);
        m_input.resize(qsizetype(std::max<qint64>(got, 0)));
        return got > 0;
    }

    void HttpConnection::processInput()
    {
        // Re-entered when a handler answers synchronously: the loop below carries on by itself then.
        if (m_processing || m_closed)
            return;
        m_processing = true;
        while (!m_closed && (m_phase == Phase::Reading) && !m_waitingForDrain) {
            if ((m_inputPos >= m_input.size()) && !readMore())
                break;
            qsizetype used = 0;
            const auto event = m_parser.feed(m_input.constData() + m_inputPos, m_input.size() - m_inputPos, used);
            m_inputPos += used;
            if (!m_requestStarted && m_parser.isMidRequest()) {
                m_requestStarted = true;
                m_requestStartedAt = monotonicMs();
            }
            switch (event) {
            case HttpRequestParser::Event::NeedMoreData:
                break;
            case HttpRequestParser::Event::HeadComplete:
                if (m_parser.expectsContinue()) {
                    write(CONTINUE_RESPONSE);
                    flushOutput();
                }
                break;
            case HttpRequestParser::Event::MessageComplete:
                dispatch();
                break;
            case HttpRequestParser::Event::Error:
                qCDebug(lcHttp) << "refusing request from" << m_peerAddress << m_parser.errorStatus() << m_parser.errorMessage();
                respondWithError(m_parser.errorStatus(), m_parser.errorMessage());
                break;
            }
        }
        m_processing = false;
    }

    void HttpConnection::dispatch()
    {
        HttpRequest request = m_parser.takeRequest();
        request.setPeer(m_peerAddress, m_peerPort);
        request.setSecure(m_sslSocket != nullptr);
        m_requestStarted = false;
        m_headRequest = request.isHead();
        m_keepAlive = request.isKeepAlive();
        m_http10 = (request.httpMinorVersion() == 0);
        m_phase = Phase::Dispatched;
        m_current = std::make_shared<HttpResponderState>(this, m_parser.limits().outputLowWaterMark);
        beginExchange(request);

        const HttpResponder responder(m_current);
        if (!m_handler || !*m_handler) {
            responder.send(HttpResponse::fromError(ApiError::notFound(u"no handler for %1"_s.arg(request.path()))));
            return;
        }
        // No exception may cross the event loop (STYLE.md); a controller's ApiError becomes its JSON answer here.
        try {
            (*m_handler)(request, responder);
        } catch (const ApiError &error) {
            responder.send(HttpResponse::fromError(error));
        } catch (const std::exception &e) {
            qCWarning(lcHttp) << "handler threw for" << request.method() << request.path() << e.what();
            responder.send(HttpResponse::fromError(ApiError::internal(u"internal error"_s)));
        } catch (...) {
            qCWarning(lcHttp) << "handler threw for" << request.method() << request.path();
            responder.send(HttpResponse::fromError(ApiError::internal(u"internal error"_s)));
        }
    }

    void HttpConnection::sendResponse(const HttpResponse &response)
    {
        if (m_closed || (m_phase != Phase::Dispatched))
            return;
        const int status = response.statusCode();
        const bool closeAfter = !m_keepAlive || hasCloseToken(response.headers().valueView("Connection"));
        const bool noBody = hasNoBody(status);
        const QByteArray &body = response.body();
        const bool writeBody = !noBody && !m_headRequest && !body.isEmpty();
        const bool inlineBody = writeBody && (body.size() <= INLINE_BODY_LIMIT);

        m_exchange.status = status;
        m_exchange.responseBytes = writeBody ? body.size() : 0;
        QByteArray out = buildHead(status, response.contentType(), response.headers(), noBody ? Framing::None : Framing::Length,
                                   body.size(), closeAfter, inlineBody ? body.size() : 0);
        if (inlineBody)
            out.append(body);
        write(out);
        if (writeBody && !inlineBody)
            write(body);
        completeResponse(closeAfter);
        flushOutput();
    }

    void HttpConnection::startStream(int statusCode, const QByteArray &contentType, const HttpHeaders &headers)
    {
        if (m_closed || (m_phase != Phase::Dispatched))
            return;
        m_phase = Phase::Streaming;
        m_streamHeadOnly = m_headRequest || hasNoBody(statusCode);
        // HTTP/1.0 knows no chunked coding: its stream ends when we close.
        m_streamChunked = !m_http10 && !hasNoBody(statusCode);
        m_closeAfterStream = !m_keepAlive || (!m_streamChunked && !m_streamHeadOnly) || hasCloseToken(headers.valueView("Connection"));
        const Framing framing = m_streamChunked ? Framing::Chunked : Framing::None;
        m_exchange.status = statusCode;
        write(buildHead(statusCode, contentType, headers, framing, 0, m_closeAfterStream, 0));
        updateResponderBytes();
        flushOutput();
    }

    void HttpConnection::writeChunk(const QByteArray &data)
    {
        if (m_current)
            m_current->addQueuedBytes(-data.size());
        if (m_closed || (m_phase != Phase::Streaming))
            return;
        if (!m_streamHeadOnly) {
            m_exchange.responseBytes += data.size();
            if (m_streamChunked) {
                QByteArray sizeLine;
                sizeLine.reserve(20);
                appendNumber(sizeLine, data.size(), 16);
                sizeLine.append("\r\n");
                write(sizeLine);
                write(data);
                write("\r\n", 2);
            } else {
                write(data);
            }
        }
        // No flush here: the socket's write notifier then reports every chunk through bytesWritten(), which is
        // what paces a producer that writes one chunk per onWritable() call.
        updateResponderBytes();
    }

    void HttpConnection::finishStream()
    {
        if (m_closed || (m_phase != Phase::Streaming))
            return;
        if (m_streamChunked && !m_streamHeadOnly)
            write(LAST_CHUNK);
        completeResponse(m_closeAfterStream);
        flushOutput();
    }

    void HttpConnection::abortResponse()
    {
        if (m_closed)
            return;
        if (auto state = std::move(m_current))
            state->detach(HttpResponderState::Detach::Completed);
        qCDebug(lcHttp) << "handler aborted the response to" << m_peerAddress;
        abort();
    }

    void HttpConnection::abort()
    {
        if (m_closed)
            return;
        m_socket->abort();   // emits disconnected() when it was connected
        teardown();
    }

    void HttpConnection::completeResponse(bool closeAfter)
    {
        finishExchange(true);
        if (auto state = std::move(m_current))
            state->detach(HttpResponderState::Detach::Completed);
        if (m_closed)
            return;
        if (closeAfter) {
            beginClose(CloseMode::Graceful);
            return;
        }
        m_phase = Phase::Reading;
        m_idleSince = monotonicMs();
        // A client that pipelines without reading its answers gets no more parsed until it reads.
        m_waitingForDrain = pendingOutputBytes() > m_parser.limits().outputLowWaterMark;
        if (!m_waitingForDrain)
            processInput();
    }

    void HttpConnection::respondWithError(int statusCode, const QString &message)
    {
        if (m_closed)
            return;
        if (!m_exchangeOpen)
            beginExchange(m_parser.request());   // what the parser had of the request when it gave up
        m_exchange.status = statusCode;
        const HttpResponse response = errorResponse(statusCode, message);
        const QByteArray &body = response.body();
        m_exchange.responseBytes = body.size();
        QByteArray out = buildHead(statusCode, response.contentType(), response.headers(), Framing::Length, body.size(),
                                   true, body.size());
        out.append(body);
        write(out);
        finishExchange(true);
        if (auto state = std::move(m_current))
            state->detach(HttpResponderState::Detach::Completed);
        beginClose(CloseMode::AfterError);
        flushOutput();
    }

    void HttpConnection::beginClose(CloseMode mode)
    {
        if (m_closed || (m_phase == Phase::Closing))
            return;
        m_phase = Phase::Closing;
        m_closingSince = monotonicMs();
        const bool unreadInput = (m_inputPos < m_input.size()) || (m_socket->bytesAvailable() > 0);
        m_lingerRequested = (mode == CloseMode::AfterError) || unreadInput;
        if (pendingOutputBytes() == 0)
            finishClose();
        // else handleBytesWritten() calls finishClose() once the answer is out
    }

    void HttpConnection::finishClose()
    {
        if (m_closed || m_lingering)
            return;
#ifdef Q_OS_UNIX
        // Closing a socket with unread input makes the kernel send RST, which can destroy our answer before the
        // client reads it (a 413 to a client still sending its body, say). So shut our side, then read and drop
        // until the client closes or the linger time is up. TLS sockets cannot be half-closed under QSslSocket.
        if (m_lingerRequested && !m_sslSocket && (m_socket->socketDescriptor() >= 0)) {
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
            m_lingering = true;
            m_closingSince = monotonicMs();
            m_input.resize(0);
            m_inputPos = 0;
            discardInput();
            return;
        }
#endif
        m_socket->disconnectFromHost();
        if (!m_closed && (m_socket->state() == QAbstractSocket::UnconnectedState))
            teardown();
    }

    void HttpConnection::discardInput()
    {
        char scratch[16 * 1024];
        while (!m_closed && (m_socket->bytesAvailable() > 0)) {
            const qint64 got = m_socket->read(scratch, sizeof(scratch));
            if (got <= 0)
                break;
            m_discardedBytes += got;
            if (m_discardedBytes > MAX_DISCARD) {
                abort();
                return;
            }
        }
    }

    void HttpConnection::teardown()
    {
        if (m_closed)
            return;
        m_closed = true;
        m_phase = Phase::Closing;
        finishExchange(false);
        if (auto state = std::move(m_current))
            state->detach(HttpResponderState::Detach::ClientGone);
        emit closed(this);
    }

    void HttpConnection::beginExchange(const HttpRequest &request)
    {
        m_exchangeOpen = true;
        m_exchangeStartedAt = monotonicMs();
        m_exchangeRequest = request;
        m_exchangeRequest.setBody({});
        m_exchange = {};
        m_exchange.method = request.method();
        m_exchange.target = request.target();
        m_exchange.userAgent = request.header("User-Agent");
        m_exchange.referer = request.header("Referer");
        m_exchange.protocol = "HTTP/" + QByteArray::number(request.httpMajorVersion()) + '.' + QByteArray::number(request.httpMinorVersion());
        m_exchange.peer = m_peerAddress;
        m_exchange.requestBytes = request.body().size();
    }

    void HttpConnection::finishExchange(bool completed)
    {
        if (!m_exchangeOpen)
            return;
        m_exchangeOpen = false;
        if (!m_hooks || !m_hooks->exchangeFinished)
            return;
        m_exchange.completed = completed;
        m_exchange.latencySeconds = double(monotonicMs() - m_exchangeStartedAt) / 1000.0;
        m_hooks->exchangeFinished(m_exchange);
    }

    void HttpConnection::checkTimeouts(qint64 nowMs)
    {
        if (m_closed)
            return;
        const HttpServerLimits &limits = m_parser.limits();
        const qint64 idleMs = limits.idleTimeout.count();
        const qint64 pending = pendingOutputBytes();
        if ((pending > 0) && (nowMs - m_lastWriteProgress > idleMs)) {
            qCDebug(lcHttp) << "closing: client" << m_peerAddress << "read nothing for" << idleMs << "ms";
            abort();
            return;
        }
        switch (m_phase) {
        case Phase::Reading:
            if (m_requestStarted) {
                if (nowMs - m_requestStartedAt > limits.requestTimeout.count()) {
                    respondWithError(408, u"the request was not received completely within %1 ms"_s
                                              .arg(limits.requestTimeout.count()));
                }
            } else if ((pending == 0) && (nowMs - std::max(m_idleSince, m_lastWriteProgress) > idleMs)) {
                qCDebug(lcHttp) << "closing idle connection from" << m_peerAddress;
                beginClose(CloseMode::Graceful);
            }
            break;
        case Phase::Dispatched:
        case Phase::Streaming:
            break;   // the handler's time: a long-poll may wait as long as it likes
        case Phase::Closing:
            if (nowMs - m_closingSince > (m_lingering ? limits.lingerTimeout.count() : idleMs))
                abort();
            break;
        }
    }

    QByteArray HttpConnection::buildHead(int statusCode, const QByteArray &contentType, const HttpHeaders &givenHeaders,
                                         Framing framing, qint64 contentLength, bool closeAfter,
                                         qsizetype extraCapacity) const
    {
        HttpHeaders decorated;
        const bool decorate = m_hooks && m_hooks->decorateResponse && m_exchangeOpen;
        if (decorate) {
            decorated = givenHeaders;
            m_hooks->decorateResponse(m_exchangeRequest, decorated);
        }
        const HttpHeaders &headers = decorate ? decorated : givenHeaders;
        const char *reason = http_status_str(http_status(statusCode));
        if (reason[0] == '<')
            reason = "Unknown";   // http-parser's "<unknown>" for codes it has no name for
        const QByteArray &date = httpDate();

        QByteArray out;
        out.reserve(160 + date.size() + contentType.size() + headers.byteSize() + 4 * headers.size() + extraCapacity);
        out.append("HTTP/1.1 ");
        appendNumber(out, statusCode);
        out.append(' ').append(reason).append("\r\nServer: aqueduct\r\nDate: ").append(date).append("\r\n");
        if (!contentType.isEmpty())
            out.append("Content-Type: ").append(contentType).append("\r\n");
        if (framing == Framing::Length) {
            out.append("Content-Length: ");
            appendNumber(out, contentLength);
            out.append("\r\n");
        } else if (framing == Framing::Chunked) {
            out.append("Transfer-Encoding: chunked\r\n");
        }
        if (closeAfter)
            out.append("Connection: close\r\n");
        else if (m_http10)
            out.append("Connection: keep-alive\r\n");
        for (qsizetype i = 0; i < headers.size(); ++i) {
            const QByteArrayView name = headers.nameAt(i);
            const QByteArrayView value = headers.valueAt(i);
            if (isManagedHeader(name) || (!contentType.isEmpty() && HttpHeaders::nameEquals(name, "Content-Type")))
                continue;
            if (name.isEmpty() || name.contains('\r') || name.contains('\n') || name.contains(':')
                || value.contains('\r') || value.contains('\n')) {
                qCWarning(lcHttp) << "dropping response header with a line break or empty name:" << name;
                continue;
            }
            out.append(name).append(": ").append(value).append("\r\n");
        }
        out.append("\r\n");
        return out;
    }

    void HttpConnection::write(const QByteArray &bytes)
    {
        write(bytes.constData(), bytes.size());
    }

    void HttpConnection::write(const char *data, qsizetype size)
    {
        if (m_closed || (size == 0))
            return;
        if (pendingOutputBytes() == 0)
            m_lastWriteProgress = monotonicMs();   // the write-stall clock starts with the first unsent byte
        m_socket->write(data, size);
    }

    void HttpConnection::flushOutput()
    {
        // Written now rather than on the next write notification: saves an event-loop turn per answer.
        if (m_closed)
            return;
        m_socket->flush();
        handleOutputProgress();
    }

    void HttpConnection::updateResponderBytes()
    {
        if (m_current)
            m_current->setSocketBytes(pendingOutputBytes());
    }
}
