#include "core/server/http/httpresponder.h"

#include <QLoggingCategory>

#include "core/server/http/httpconnection.h"
#include "core/server/http/httplogging.h"
#include "core/server/http/httpresponderstate.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    // Shared by every copy of one responder; its destructor notices a handler that dropped the request unanswered.
    class HttpResponder::Token
    {
    public:
        explicit Token(const std::shared_ptr<HttpResponderState> &state)
            : m_state {state}
        {
        }

        ~Token()
        {
            if (m_state->claimResponse()) {
                m_state->claimFinish();
                qCWarning(lcHttp) << "a handler dropped its responder without answering; sending 500";
                m_state->run([](HttpConnection *connection) {
                    connection->sendResponse(HttpResponse::error(500, u"the server dropped the request without an answer"_s));
                });
            } else if (m_state->claimFinish()) {
                qCWarning(lcHttp) << "a handler dropped its responder in the middle of a stream; closing the connection";
                m_state->run([](HttpConnection *connection) { connection->abortResponse(); });
            }
        }

        Token(const Token &) = delete;
        Token &operator=(const Token &) = delete;

        const std::shared_ptr<HttpResponderState> m_state;
    };

    HttpResponder::HttpResponder() = default;

    HttpResponder::HttpResponder(const std::shared_ptr<HttpResponderState> &state)
        : m_token {std::make_shared<Token>(state)}
    {
    }

    bool HttpResponder::isNull() const
    {
        return !m_token;
    }

    void HttpResponder::send(HttpResponse response) const
    {
        if (!m_token)
            return;
        HttpResponderState &state = *m_token->m_state;
        if (!state.claimResponse()) {
            qCWarning(lcHttp) << "HttpResponder::send() called after the request was already answered; ignored";
            return;
        }
        state.claimFinish();
        state.run([response = std::move(response)](HttpConnection *connection) { connection->sendResponse(response); });
    }

    bool HttpResponder::isConnected() const
    {
        return m_token && !m_token->m_state->isClientGone();
    }

    void HttpResponder::onDisconnected(std::function<void()> callback) const
    {
        if (m_token)
            m_token->m_state->setDisconnectCallback(std::move(callback));
    }

    void HttpResponder::startStream(int statusCode, const QByteArray &contentType, const HttpHeaders &headers) const
    {
        if (!m_token)
            return;
        HttpResponderState &state = *m_token->m_state;
        if (!state.claimResponse()) {
            qCWarning(lcHttp) << "HttpResponder::startStream() called after the request was already answered; ignored";
            return;
        }
        state.run([statusCode, contentType, headers](HttpConnection *connection) {
            connection->startStream(statusCode, contentType, headers);
        });
    }

    void HttpResponder::writeChunk(const QByteArray &data) const
    {
        if (!m_token || data.isEmpty())
            return;
        HttpResponderState &state = *m_token->m_state;
        if (!state.isResponded() || state.isFinished()) {
            qCWarning(lcHttp) << "HttpResponder::writeChunk() outside a stream; ignored";
            return;
        }
        // Counted before the hop so a producer on another thread sees its own backlog at once.
        state.addQueuedBytes(data.size());
        state.run([data](HttpConnection *connection) { connection->writeChunk(data); });
    }

    void HttpResponder::finishStream() const
    {
        if (!m_token)
            return;
        HttpResponderState &state = *m_token->m_state;
        if (!state.isResponded() || !state.claimFinish()) {
            qCWarning(lcHttp) << "HttpResponder::finishStream() outside a stream; ignored";
            return;
        }
        state.run([](HttpConnection *connection) { connection->finishStream(); });
    }

    void HttpResponder::abort() const
    {
        if (!m_token)
            return;
        HttpResponderState &state = *m_token->m_state;
        state.claimResponse();
        if (!state.claimFinish())
            return;
        state.run([](HttpConnection *connection) { connection->abortResponse(); });
    }

    qint64 HttpResponder::pendingBytes() const
    {
        return m_token ? m_token->m_state->pendingBytes() : 0;
    }

    qint64 HttpResponder::lowWaterMark() const
    {
        return m_token ? m_token->m_state->lowWaterMark() : 0;
    }

    void HttpResponder::onWritable(std::function<void()> callback) const
    {
        if (m_token)
            m_token->m_state->setWritableCallback(std::move(callback));
    }
}
