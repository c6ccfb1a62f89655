#pragma once

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

namespace Aq::LocalCloud
{
    class LocalCloud;

    // The core's REST clients reach the embedded local cloud through this QNetworkAccessManager without a
    // socket: requests to baseUrl() become LocalRequests on the local cloud's thread; anything else goes to
    // the network as usual. The same client code thus runs against the local cloud, emulators and Google.
    class InProcessNetworkAccessManager : public QNetworkAccessManager
    {
        Q_OBJECT

    public:
        explicit InProcessNetworkAccessManager(LocalCloud *cloud, QObject *parent = nullptr);
        // A host that can never resolve (RFC 2606), so nothing leaks to the network by mistake.
        static QUrl baseUrl();

    protected:
        QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData) override;

    private:
        QPointer<LocalCloud> m_cloud;
    };

    // A reply finished asynchronously (queued), never inside createRequest, as QNetworkAccessManager expects.
    class InProcessReply final : public QNetworkReply
    {
        Q_OBJECT

    public:
        InProcessReply(QNetworkAccessManager::Operation op, const QNetworkRequest &request, QObject *parent);

        void complete(int status, const QByteArray &contentType, const QByteArray &body);
        void fail(QNetworkReply::NetworkError error, const QString &message);

        void abort() override;
        qint64 bytesAvailable() const override;
        bool isSequential() const override { return true; }

    protected:
        qint64 readData(char *data, qint64 maxSize) override;

    private:
        QByteArray m_body;
        qint64 m_offset = 0;
        bool m_finished = false;
    };
}
