#include "core/server/access/logformat.h"

#include <atomic>
#include <cstdio>
#include <cstring>

#include <QJsonDocument>
#include <QMutex>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        // Severity names as in the JSON lines, so both formats say the same. Qt's "critical" is an error that the
        // program survives; "fatal" aborts.
        const QString TEXT_PATTERN = u"%{time yyyy-MM-dd HH:mm:ss.zzz t} "
                                     "%{if-debug}DEBUG%{endif}%{if-info}INFO%{endif}%{if-warning}WARNING%{endif}"
                                     "%{if-critical}ERROR%{endif}%{if-fatal}CRITICAL%{endif}"
                                     " %{if-category}%{category}: %{endif}%{message}"_s;

        std::atomic<LogFormat> g_format {LogFormat::Text};

        QMutex g_writeMutex;
        std::function<void(QByteArrayView)> g_sink;   // guarded by g_writeMutex

        QString severityOf(QtMsgType type)
        {
            switch (type) {
            case QtDebugMsg:
                return u"DEBUG"_s;
            case QtInfoMsg:
                return u"INFO"_s;
            case QtWarningMsg:
                return u"WARNING"_s;
            case QtCriticalMsg:
                return u"ERROR"_s;
            case QtFatalMsg:
                return u"CRITICAL"_s;
            }
            return u"DEFAULT"_s;
        }

        void writeLine(QByteArray line)
        {
            QMutexLocker locker(&g_writeMutex);
            if (g_sink) {
                g_sink(line);
                return;
            }
            // one fwrite per line, newline included, so a line is never split by another writer of stderr
            line.append('\n');
            std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
            std::fflush(stderr);
        }

        void jsonMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
        {
            QJsonObject entry {{u"severity"_s, severityOf(type)}, {u"message"_s, message}};
            if (context.file) {
                QJsonObject location {{u"file"_s, QString::fromUtf8(context.file)}, {u"line"_s, QString::number(context.line)}};
                if (context.function)
                    location.insert(u"function"_s, QString::fromUtf8(context.function));
                entry.insert(u"logging.googleapis.com/sourceLocation"_s, location);
            }
            writeJsonLogEntry(entry, context.category);
        }
    }

    Result<LogFormat> parseLogFormat(const QString &value)
    {
        const QString name = value.trimmed();
        if (name.compare(u"text"_s, Qt::CaseInsensitive) == 0)
            return LogFormat::Text;
        if (name.compare(u"json"_s, Qt::CaseInsensitive) == 0)
            return LogFormat::Json;
        return ApiError::invalidArgument(u"Unknown log format \"%1\": choose text or json (--log-format)."_s.arg(value));
    }

    void installLogFormat(LogFormat format)
    {
        g_format.store(format);
        if (format == LogFormat::Json) {
            qInstallMessageHandler(&jsonMessageHandler);
        } else {
            qSetMessagePattern(TEXT_PATTERN);
            qInstallMessageHandler(nullptr);
        }
    }

    LogFormat installedLogFormat()
    {
        return g_format.load();
    }

    void writeJsonLogEntry(QJsonObject entry, const char *category)
    {
        if (!entry.contains(u"time"_s))
            entry.insert(u"time"_s, Time::formatRfc3339Fixed(Time::nowMicros(), 6));
        if (category && *category && std::strcmp(category, "default") != 0)
            entry.insert(u"logging.googleapis.com/labels"_s, QJsonObject {{u"category"_s, QString::fromUtf8(category)}});
        writeLine(QJsonDocument(entry).toJson(QJsonDocument::Compact));
    }

    void setLogSinkForTests(std::function<void(QByteArrayView line)> sink)
    {
        QMutexLocker locker(&g_writeMutex);
        g_sink = std::move(sink);
    }
}
