#include "core/auth/accesstokencredentials.h"

#include <algorithm>

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTimer>

#include "core/auth/authlogging.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    namespace
    {
        constexpr qint64 EARLY_REFRESH_SECONDS = 300;
        constexpr qint64 DEFAULT_LIFETIME_SECONDS = 3600;
        // A token with less than this left is not worth handing out when its refresh failed.
        constexpr qint64 MIN_STALE_REMAINING_MS = 30 * 1000;
        // Token replies are a few hundred bytes; the body is only read for a few JSON fields.
        constexpr qint64 MAX_REPLY_BYTES = 64 * 1024;
        constexpr qsizetype MAX_DESCRIPTION_CHARS = 300;

        // "invalid_grant: Invalid JWT Signature." from {"error":"invalid_grant","error_description":"..."}, or from
        // Google's other shape {"error":{"status":"...","message":"..."}}; empty when the body says neither.
        QString oauthError(const QJsonObject &json, QString *code)
        {
            const QJsonValue error = json.value(u"error"_s);
            QString description;
            if (error.isString()) {
                *code = error.toString();
                description = json.value(u"error_description"_s).toString();
            } else if (error.isObject()) {
                *code = error.toObject().value(u"status"_s).toString();
                description = error.toObject().value(u"message"_s).toString();
            }
            if (description.size() > MAX_DESCRIPTION_CHARS)
                description = description.left(MAX_DESCRIPTION_CHARS) + u"..."_s;
            if (code->isEmpty())
                return description;
            return description.isEmpty() ? *code : *code + u": "_s + description;
        }
    }

    AccessTokenCredentials::AccessTokenCredentials(QNetworkAccessManager *network, QObject *parent)
        : Credentials(parent)
        , m_network {network}
    {
    }

    AccessTokenCredentials::~AccessTokenCredentials()
    {
        if (m_reply) {
            disconnect(m_reply, nullptr, this, nullptr);
            m_reply->abort();
            m_reply->deleteLater();
        }
    }

    void AccessTokenCredentials::headersFor(const QUrl &, HeadersCallback callback)
    {
        if (!m_token.isEmpty() && !m_refreshAt.hasExpired()) {
            callback(headersWith(m_token));
            return;
        }
        m_waiters.push_back(std::move(callback));
        if (m_refreshing)
            return;
        m_refreshing = true;
        m_attempt = 0;
        startAttempt();
    }

    void AccessTokenCredentials::invalidate()
    {
        m_token.clear();
        m_expiry = {};
        m_refreshAt = {};
    }

    void AccessTokenCredentials::setQuotaProjectId(const QString &projectId)
    {
        m_quotaProjectId = projectId;
    }

    QString AccessTokenCredentials::quotaProjectId() const
    {
        return m_quotaProjectId;
    }

    void AccessTokenCredentials::setRequestTimeout(int milliseconds)
    {
        m_requestTimeoutMs = milliseconds;
    }

    void AccessTokenCredentials::setRetryPolicy(const TokenRetryPolicy &policy)
    {
        m_retryPolicy = policy;
    }

    Status AccessTokenCredentials::checkReply(QNetworkReply *) const
    {
        return Ok {};
    }

    QString AccessTokenCredentials::refusalHint(const QString &) const
    {
        return {};
    }

    QNetworkAccessManager *AccessTokenCredentials::network() const
    {
        return m_network;
    }

    int AccessTokenCredentials::requestTimeout() const
    {
        return m_requestTimeoutMs;
    }

    AuthorizationHeaders AccessTokenCredentials::headersWith(const QByteArray &token) const
    {
        return AuthorizationHeaders {"Bearer " + token, m_quotaProjectId.toUtf8()};
    }

    void AccessTokenCredentials::startAttempt()
    {
        ++m_attempt;
        if (!m_network) {
            finishRefresh(ApiError::internal(u"%1: no network access manager to fetch an access token with."_s.arg(description())));
            return;
        }
        Result<TokenRequest> tokenRequest = this->tokenRequest();
        if (!tokenRequest) {
            finishRefresh(tokenRequest.error());
            return;
        }
        QNetworkRequest request = tokenRequest->request;
        request.setTransferTimeout(m_requestTimeoutMs);
        // a redirect would carry an assertion or a refresh token to a place the credentials did not name
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        QNetworkReply *reply = nullptr;
        if (tokenRequest->body.isEmpty()) {
            reply = m_network->get(request);
        } else {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
            reply = m_network->post(request, tokenRequest->body);
        }
        m_reply = reply;
        connect(reply, &QNetworkReply::finished, this, [this, reply] { handleReply(reply); });
        // a reply deleted unfinished (its manager destroyed) emits no finished(): the waiters must not hang
        connect(reply, &QObject::destroyed, this, [this] {
            finishRefresh(ApiError::unavailable(u"%1: the token request was cancelled (its network access manager was destroyed)."_s.arg(description())));
        });
    }

    void AccessTokenCredentials::handleReply(QNetworkReply *reply)
    {
        disconnect(reply, nullptr, this, nullptr);
        reply->deleteLater();
        m_reply = nullptr;
        const Result<Token> token = readReply(reply);
        if (!token && token.error().retryable && m_attempt < m_retryPolicy.maxAttempts) {
            const int backoff = std::min(m_retryPolicy.maxBackoffMs, m_retryPolicy.initialBackoffMs << std::min(m_attempt - 1, 16));
            const int delay = backoff / 2 + int(QRandomGenerator::global()->bounded(backoff / 2 + 1));
            qCInfo(lcAuth).noquote() << token.error().message << u"Trying again in %1 ms (attempt %2 of %3)."_s.arg(delay).arg(m_attempt + 1).arg(m_retryPolicy.maxAttempts);
            QTimer::singleShot(delay, this, &AccessTokenCredentials::startAttempt);
            return;
        }
        finishRefresh(token);
    }

    Result<AccessTokenCredentials::Token> AccessTokenCredentials::readReply(QNetworkReply *reply) const
    {
        const QString endpoint = reply->url().toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo | QUrl::RemoveFragment);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0) {
            const QString reason = reply->error() == QNetworkReply::OperationCanceledError
                ? u"no answer within %1 ms"_s.arg(m_requestTimeoutMs)
                : reply->errorString();
            return ApiError::unavailable(u"%1: cannot get an access token from %2: %3."_s.arg(description(), endpoint, reason));
        }
        if (Status checked = checkReply(reply); !checked)
            return checked.error();

        const QJsonObject json = QJsonDocument::fromJson(reply->read(MAX_REPLY_BYTES)).object();
        if (status == 200) {
            Token token;
            token.value = json.value(u"access_token"_s).toString().toUtf8();
            if (token.value.isEmpty())
                return ApiError::internal(u"%1: the token endpoint %2 answered without an access_token."_s.arg(description(), endpoint));
            // a number, though some servers send a string
            token.lifetimeSeconds = json.value(u"expires_in"_s).toVariant().toLongLong();
            if (token.lifetimeSeconds <= 0)
                token.lifetimeSeconds = DEFAULT_LIFETIME_SECONDS;
            return token;
        }

        QString code;
        const QString detail = oauthError(json, &code);
        const QString statusText = detail.isEmpty() ? u"HTTP %1"_s.arg(status) : u"HTTP %1, %2"_s.arg(status).arg(detail);
        if (status == 429 || status >= 500)
            return ApiError::unavailable(u"%1: the token endpoint %2 failed (%3)."_s.arg(description(), endpoint, statusText));
        QString message = u"%1: the token endpoint %2 refused the credentials (%3)."_s.arg(description(), endpoint, statusText);
        if (const QString hint = refusalHint(code); !hint.isEmpty())
            message += u' ' + hint;
        return ApiError::unauthenticated(message);
    }

    void AccessTokenCredentials::finishRefresh(const Result<Token> &token)
    {
        m_refreshing = false;
        const Result<AuthorizationHeaders> headers = [&]() -> Result<AuthorizationHeaders> {
            if (token) {
                const qint64 lifetime = token->lifetimeSeconds;
                m_token = token->value;
                m_expiry.setRemainingTime(lifetime * 1000);
                m_refreshAt.setRemainingTime((lifetime - std::min(EARLY_REFRESH_SECONDS, lifetime / 2)) * 1000);
                qCDebug(lcAuth).noquote() << u"%1: new access token, valid for %2 s."_s.arg(description()).arg(lifetime);
                return headersWith(m_token);
            }
            if (!m_token.isEmpty() && m_expiry.remainingTime() > MIN_STALE_REMAINING_MS) {
                qCWarning(lcAuth).noquote() << token.error().message
                                            << u"Using the current access token, valid for %1 s more."_s.arg(m_expiry.remainingTime() / 1000);
                return headersWith(m_token);
            }
            qCWarning(lcAuth).noquote() << token.error().message;
            return token.error();
        }();
        // a callback may destroy this object: from here on only locals are used
        const std::vector<HeadersCallback> waiters = std::exchange(m_waiters, {});
        for (const HeadersCallback &callback : waiters)
            callback(headers);
    }
}
