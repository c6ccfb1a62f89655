#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "core/server/access/logformat.h"
#include "core/server/http/httprequest.h"

// What the access tests share: requests built without a socket, and a capture of what the log writes.
namespace Aq::Server::Test
{
    // headers: "Name: value" strings.
    HttpRequest makeRequest(const QByteArray &method, const QByteArray &target, const QList<QByteArray> &headers = {});

    // While it lives, the log uses `format`, and what it writes is kept: JSON lines from the log sink and, in the text
    // format, each message given to Qt's handler (with the line Qt's handler would print). Puts the handler that
    // was installed before (QtTest's) back when destroyed. One at a time.
    class LogCapture
    {
    public:
        struct Message
        {
            QtMsgType type = QtDebugMsg;
            QString category;
            QString text;
            QString formatted;
        };

        explicit LogCapture(LogFormat format);
        ~LogCapture();
        LogCapture(const LogCapture &) = delete;
        LogCapture &operator=(const LogCapture &) = delete;

        QList<QByteArray> lines() const;
        // Line `index` parsed; an empty object (said on stderr, since the log itself is captured) when there is no
        // such line or it is not a JSON object.
        QJsonObject entry(qsizetype index) const;
        QList<Message> messages() const;

    private:
        QtMessageHandler m_previousHandler = nullptr;
    };
}
