#include "core/localcloud/inprocessnetworkaccessmanager.h"

#include <cstring>

#include <QTimer>
#include <QUrlQuery>

#include "core/localcloud/localcloud.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        QByteArray verbFor(QNetworkAccessManager::Operation op, const QNetworkRequest &request)
        {
            switch (op) {
            case QNetworkAccessManager::GetOperation: return "GET";
            case QNetworkAccessManager::PutOperation: return "PUT";
            case QNetworkAccessManager::PostOperation: return "POST";
            case QNetworkAccessManager::DeleteOperation: return "DELETE";
            case QNetworkAccessManager::HeadOperation: return "HEAD";
            default: return request.attribute(QNetworkRequest::CustomVerbAttribute).toByteArray();
            }
        }

        QString reasonPhrase(int status)
        {
            switch (status) {
            case 200: return u"OK"_s;
            case 400: return u"Bad Request"_s;
            case 404: return u"Not Found"_s;
            case 409: return u"Conflict"_s;
            case 500: return u"Internal Server Error"_s;
            case 503: return u"Service Unavailable"_s;
            default: return QString();
            }
        }

        QNetworkReply::NetworkError errorFor(int status)
        {
            switch (status) {
            case 400: return QNetworkReply::ProtocolInvalidOperationError;
            case 401: return QNetworkReply::AuthenticationRequiredError;
            case 403: return QNetworkReply::ContentAccessDenied;
            case 404: return QNetworkReply::ContentNotFoundError;
            case 405: return QNetworkReply::ContentOperationNotPermittedError;
            case 409: return QNetworkReply::ContentConflictError;
            case 501: return QNetworkReply::OperationNotImplementedError;
            case 503: return QNetworkReply::ServiceUnavailableError;
            default: return status >= 500 ? QNetworkReply::InternalServerError : QNetworkReply::UnknownContentError;
            }
        }
    }

    InProcessNetworkAccessManager::InProcessNetworkAccessManager(LocalCloud *cloud, QObject *parent)
        : QNetworkAccessManager(parent)
        , m_cloud {cloud}
    {
    }

    QUrl InProcessNetworkAccessManager::baseUrl()
    {
        return QUrl(u"http://in-process.localcloud.invalid"_s);
    }

    QNetworkReply *InProcessNetworkAccessManager::createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData)
    {
        if (request.url().host() != baseUrl().host())
            return QNetworkAccessManager::createRequest(op, request, outgoingData);
        auto *reply = new InProcessReply(op, request, this);
        if (!m_cloud) {
            QMetaObject::invokeMethod(reply, [reply] { reply->fail(QNetworkReply::ConnectionRefusedError, u"The local cloud is not running."_s); }, Qt::QueuedConnection);
            return reply;
        }
        LocalRequest local;
        local.method = verbFor(op, request);
        local.path = request.url().path(QUrl::FullyDecoded);
        for (const auto &item : QUrlQuery(request.url()).queryItems(QUrl::FullyDecoded))
            local.query.append({item.first, item.second});
        if (outgoingData)
            local.body = outgoingData->readAll();
        std::shared_ptr<std::atomic_bool> cancelled = local.cancelled;
        connect(reply, &QNetworkReply::finished, reply, [cancelled] { cancelled->store(true); });
        QPointer<InProcessReply> guard(reply);
        m_cloud->post(std::move(local), [guard](LocalResponse response) {
            // on the local cloud's thread: hand the answer to the reply's thread
            QMetaObject::invokeMethod(guard.data(), [guard, response] {
                if (guard)
                    guard->complete(response.status, response.contentType, response.body);
            }, Qt::QueuedConnection);
        });
        return reply;
    }

    InProcessReply::InProcessReply(QNetworkAccessManager::Operation op, const QNetworkRequest &request, QObject *parent)
        : QNetworkReply(parent)
    {
        setOperation(op);
        setRequest(request);
        setUrl(request.url());
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }

    void InProcessReply::complete(int status, const QByteArray &contentType, const QByteArray &body)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_body = body;
        setAttribute(QNetworkRequest::HttpStatusCodeAttribute, status);
        setAttribute(QNetworkRequest::HttpReasonPhraseAttribute, reasonPhrase(status));
        setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        setHeader(QNetworkRequest::ContentLengthHeader, m_body.size());
        setRawHeader("Content-Type", contentType);
        if (status >= 400)
            setError(errorFor(status), u"Error transferring %1 - server replied: %2"_s.arg(url().toString(), reasonPhrase(status)));
        setFinished(true);
        Q_EMIT metaDataChanged();
        if (!m_body.isEmpty())
            Q_EMIT readyRead();
        if (status >= 400)
            Q_EMIT errorOccurred(error());
        Q_EMIT finished();
    }

    void InProcessReply::fail(QNetworkReply::NetworkError error, const QString &message)
    {
        if (m_finished)
            return;
        m_finished = true;
        setError(error, message);
        setFinished(true);
        Q_EMIT errorOccurred(error);
        Q_EMIT finished();
    }

    void InProcessReply::abort()
    {
        fail(QNetworkReply::OperationCanceledError, u"Operation canceled"_s);
    }

    qint64 InProcessReply::bytesAvailable() const
    {
        return m_body.size() - m_offset + QNetworkReply::bytesAvailable();
    }

    qint64 InProcessReply::readData(char *data, qint64 maxSize)
    {
        const qint64 n = qMin(maxSize, qint64(m_body.size()) - m_offset);
        if (n <= 0)
            return m_finished ? -1 : 0;
        std::memcpy(data, m_body.constData() + m_offset, size_t(n));
        m_offset += n;
        return n;
    }
}
