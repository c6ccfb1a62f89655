#include "core/rest/restcall.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include "core/rest/replyerror.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcRest, "aq.rest", QtInfoMsg)

namespace Aq::Rest
{
    namespace
    {
        QUrl serviceUrlOf(const QUrl &url)
        {
            return url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
        }

        ApiError cancelled(const QUrl &url)
        {
            ApiError error;
            error.httpStatus = 499;
            error.status = u"CANCELLED"_s;
            error.reason = u"cancelled"_s;
            error.message = u"the call to %1 was cancelled"_s.arg(describeEndpoint(url));
            return error;
        }
    }

    RestCall::RestCall(RestClient *client, RestRequest request, QObject *context, RestClient::ReplyCallback callback)
        : QObject(client)
        , m_client {client}
        , m_request {std::move(request)}
        , m_context {context}
        , m_hadContext {context != nullptr}
        , m_callback {std::move(callback)}
        , m_deadline {m_request.deadline}
    {
        m_attemptTimer.setSingleShot(true);
        m_backoffTimer.setSingleShot(true);
        connect(&m_attemptTimer, &QTimer::timeout, this, [this] {
            m_timedOut = true;
            if (m_reply)
                m_reply->abort();
        });
        connect(&m_backoffTimer, &QTimer::timeout, this, &RestCall::authorizeAndSend);
        if (context)
            connect(context, &QObject::destroyed, this, [this] { abort(); });
    }

    void RestCall::start()
    {
        authorizeAndSend();
    }

    void RestCall::abort()
    {
        if (m_finished)
            return;
        m_backoffTimer.stop();
        if (m_reply) {
            QNetworkReply *reply = m_reply;
            m_reply = nullptr;
            reply->disconnect(this);
            reply->abort();
            reply->deleteLater();
            if (m_request.channel == Channel::LongPoll)
                m_client->releaseManager(m_manager);
        }
        finish(cancelled(m_request.url));
    }

    void RestCall::authorizeAndSend()
    {
        if (m_finished)
            return;
        if (m_deadline.hasExpired()) {
            finish(deadlineExceeded(m_request.url, m_request.deadline.count()));
            return;
        }
        QPointer<RestCall> guard(this);
        m_client->credentials()->headersFor(serviceUrlOf(m_request.url), [guard](Result<Auth::AuthorizationHeaders> headers) {
            if (!guard || guard->m_finished)
                return;
            if (!headers) {
                guard->finish(headers.error());
                return;
            }
            guard->sendAttempt(*headers);
        });
    }

    void RestCall::sendAttempt(const Auth::AuthorizationHeaders &headers)
    {
        ++m_attempts;
        m_timedOut = false;
        QNetworkRequest request(m_request.url);
        request.setHeader(QNetworkRequest::UserAgentHeader, m_client->options().userAgent);
        if (!m_request.body.isEmpty() || (m_request.method != "GET" && m_request.method != "DELETE"))
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!headers.authorization.isEmpty())
            request.setRawHeader("Authorization", headers.authorization);
        if (!headers.userProject.isEmpty())
            request.setRawHeader("x-goog-user-project", headers.userProject);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, true);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        const qint64 remaining = qMax<qint64>(1, m_deadline.remainingTime());
        // Our own timer covers every transport (the in-process one ignores transfer timeouts).
        m_attemptTimer.start(int(qMin<qint64>(remaining, std::numeric_limits<int>::max())));

        m_manager = m_client->acquireManager(m_request.channel);
        m_attemptClock.start();
        if (m_request.method == "GET")
            m_reply = m_manager->get(request);
        else if (m_request.method == "DELETE" && m_request.body.isEmpty())
            m_reply = m_manager->deleteResource(request);
        else if (m_request.method == "POST")
            m_reply = m_manager->post(request, m_request.body);
        else if (m_request.method == "PUT")
            m_reply = m_manager->put(request, m_request.body);
        else
            m_reply = m_manager->sendCustomRequest(request, m_request.method, m_request.body);
        connect(m_reply, &QNetworkReply::finished, this, &RestCall::onReplyFinished);
    }

    void RestCall::onReplyFinished()
    {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        m_attemptTimer.stop();
        if (m_request.channel == Channel::LongPoll)
            m_client->releaseManager(m_manager);
        reply->deleteLater();

        const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        const int httpStatus = statusAttribute.isValid() ? statusAttribute.toInt() : 0;
        const QByteArray body = reply->readAll();
        qCDebug(lcRest).noquote() << m_request.method << m_request.url.toString(QUrl::RemoveQuery) << httpStatus
                                  << m_attemptClock.elapsed() << "ms, attempt" << m_attempts;
        if (m_timedOut) {
            retryOrFinish(deadlineExceeded(m_request.url, m_request.deadline.count()));
            return;
        }
        if (httpStatus >= 200 && httpStatus < 300) {
            finish(RestReply {body, reply->rawHeaderPairs()});
            return;
        }
        if (httpStatus == 0) {
            retryOrFinish(errorFromNetworkFailure(reply->error(), reply->errorString(), m_request.url));
            return;
        }
        if (httpStatus == 401 && !m_reauthorized) {
            // A token can be revoked or expire early; one fresh token is worth a try, more is not.
            m_reauthorized = true;
            m_client->credentials()->invalidate();
            authorizeAndSend();
            return;
        }
        retryOrFinish(errorFromHttpReply(httpStatus, body, m_request.url));
    }

    void RestCall::retryOrFinish(ApiError error)
    {
        const RetryPolicy &policy = m_client->options().retry;
        if (error.retryable && m_request.idempotency == Idempotency::Safe && m_attempts < policy.maxAttempts && !m_deadline.hasExpired()) {
            const std::chrono::milliseconds wait = policy.backoff(m_attempts - 1);
            if (wait.count() < m_deadline.remainingTime()) {
                qCDebug(lcRest).noquote() << "retrying" << m_request.method << describeEndpoint(m_request.url) << "in"
                                          << wait.count() << "ms after:" << error.message;
                m_backoffTimer.start(wait);
                return;
            }
        }
        finish(std::move(error));
    }

    void RestCall::finish(Result<RestReply> result)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_attemptTimer.stop();
        m_backoffTimer.stop();
        // A caller whose context is gone is not called back.
        if (!m_hadContext || m_context)
            m_callback(std::move(result));
        deleteLater();
    }
}
