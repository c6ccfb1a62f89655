#include "tests/server/access/accesstestsupport.h"

#include <cstdio>

#include <QJsonDocument>
#include <QMutex>

namespace Aq::Server::Test
{
    namespace
    {
        // Qt's handler is a plain function, so what it captures lives here.
        QMutex g_mutex;
        QList<QByteArray> g_lines;
        QList<LogCapture::Message> g_messages;

        void captureLine(QByteArrayView line)
        {
            QMutexLocker locker(&g_mutex);
            g_lines.append(line.toByteArray());
        }

        void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &text)
        {
            LogCapture::Message message {type, QString::fromUtf8(context.category), text, qFormatLogMessage(type, context, text)};
            QMutexLocker locker(&g_mutex);
            g_messages.append(message);
        }
    }

    HttpRequest makeRequest(const QByteArray &method, const QByteArray &target, const QList<QByteArray> &headers)
    {
        HttpRequest request;
        request.setMethod(method);
        request.setTarget(target);
        for (const QByteArray &header : headers) {
            const qsizetype colon = header.indexOf(':');
            request.headers().append(header.first(colon), header.sliced(colon + 1).trimmed());
        }
        return request;
    }

    LogCapture::LogCapture(LogFormat format)
    {
        m_previousHandler = qInstallMessageHandler(nullptr);
        qInstallMessageHandler(m_previousHandler);
        {
            QMutexLocker locker(&g_mutex);
            g_lines.clear();
            g_messages.clear();
        }
        installLogFormat(format);
        setLogSinkForTests(&captureLine);
        if (format == LogFormat::Text)
            qInstallMessageHandler(&captureMessage);
    }

    LogCapture::~LogCapture()
    {
        setLogSinkForTests({});
        qInstallMessageHandler(m_previousHandler);
    }

    QList<QByteArray> LogCapture::lines() const
    {
        QMutexLocker locker(&g_mutex);
        return g_lines;
    }

    QJsonObject LogCapture::entry(qsizetype index) const
    {
        const QList<QByteArray> all = lines();
        if (index >= all.size()) {
            std::fprintf(stderr, "no log line %lld (%lld lines)\n", qlonglong(index), qlonglong(all.size()));
            return {};
        }
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(all.at(index), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            std::fprintf(stderr, "not a JSON object: %s\n", all.at(index).constData());
        return document.object();
    }

    QList<LogCapture::Message> LogCapture::messages() const
    {
        QMutexLocker locker(&g_mutex);
        return g_messages;
    }
}
