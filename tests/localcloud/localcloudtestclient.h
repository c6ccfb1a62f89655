#pragma once

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "core/localcloud/localcloud.h"

// Drives a LocalCloud on the test's own thread: requests go in as they would from the HTTP layer and
// the test waits (spinning the event loop) for the answer.
class LocalCloudTestClient
{
public:
    struct Reply
    {
        int status = 0;
        QByteArray body;
        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
        QString errorStatus() const { return json().value(QStringLiteral("error")).toObject().value(QStringLiteral("status")).toString(); }
        QString errorMessage() const { return json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString(); }
    };

    explicit LocalCloudTestClient(Aq::LocalCloud::LocalCloudOptions options = {})
    {
        if (options.dataDir.isEmpty())
            options.dataDir = m_dir.path();
        m_options = options;
        reopen();
    }

    // Closes the store, so a test can change its file before reopen().
    void close() { m_cloud.reset(); }

    void reopen()
    {
        m_cloud.reset();
        m_cloud = std::make_unique<Aq::LocalCloud::LocalCloud>(m_options);
        const Aq::Status status = m_cloud->open();
        if (!status)
            qFatal("cannot open the local cloud: %s", qPrintable(status.error().message));
    }

    Reply call(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {}, int timeoutMs = 30000)
    {
        Aq::LocalCloud::LocalRequest request;
        request.method = method;
        const qsizetype q = pathAndQuery.indexOf(u'?');
        request.path = q < 0 ? pathAndQuery : pathAndQuery.left(q);
        if (q >= 0) {
            for (const QString &item : pathAndQuery.mid(q + 1).split(u'&', Qt::SkipEmptyParts))
                request.query.append({item.section(u'=', 0, 0), item.section(u'=', 1)});
        }
        request.body = body;
        Reply reply;
        bool done = false;
        QEventLoop loop;
        m_cloud->handle(request, [&](Aq::LocalCloud::LocalResponse response) {
            reply.status = response.status;
            reply.body = response.body;
            done = true;
            loop.quit();
        });
        if (!done) {
            QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
            loop.exec();
        }
        if (!done)
            qWarning("no answer to %s %s within %d ms", method.constData(), qPrintable(pathAndQuery), timeoutMs);
        return reply;
    }

    Reply call(const QByteArray &method, const QString &path, const QJsonObject &body, int timeoutMs = 30000)
    {
        return call(method, path, QJsonDocument(body).toJson(QJsonDocument::Compact), timeoutMs);
    }

    Aq::LocalCloud::LocalCloud &cloud() { return *m_cloud; }
    QString dataDir() const { return m_options.dataDir; }

private:
    QTemporaryDir m_dir;
    Aq::LocalCloud::LocalCloudOptions m_options;
    std::unique_ptr<Aq::LocalCloud::LocalCloud> m_cloud;
};
