#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

#include "core/remote/operatorclient.h"
#include "ui/rows/exportfile.h"
#include "ui/rows/rowexporter.h"

namespace Aq::Ui
{
    // Writes every event a remote server's GET /events gives for a filter, newest first, to a CSV or JSON file,
    // page after page by its X-Next-Page-Token (each page costs the server what the first does). Like RowExporter,
    // the file is a QSaveFile: it appears complete or not at all.
    //
    //   CSV   RFC 4180 with CRLF: event_id,timestamp,event_data; event_data as compact JSON text
    //   JSON  an array of the events as the server gives them, one per line
    class RemoteEventsExporter final : public QObject
    {
        Q_OBJECT

    public:
        static constexpr int DefaultPageSize = 1000;   // the API's largest limit

        RemoteEventsExporter(Remote::OperatorClient *client, Remote::EventsFilter filter, RowExporter::Format format, QString path,
                             QObject *parent = nullptr);
        ~RemoteEventsExporter() override;

        void setPageSize(int events) { m_pageSize = events; }
        void start();
        void cancel();

        bool isRunning() const { return m_running; }
        qint64 rowsWritten() const { return m_rowsWritten; }
        QString path() const { return m_file.path(); }

    Q_SIGNALS:
        void progressed(qint64 rowsWritten);
        // `message`: the file's path when completed, else why not.
        void finished(Aq::Ui::RowExporter::Outcome outcome, const QString &message);

    private:
        void requestPage(const QString &pageToken);
        void handlePage(Result<Remote::RemotePage> page);
        bool write(const QByteArray &bytes);   // false: failed, and finished
        void finish(RowExporter::Outcome outcome, const QString &message);

        QPointer<Remote::OperatorClient> m_client;
        Remote::EventsFilter m_filter;
        RowExporter::Format m_format;
        ExportFile m_file;
        int m_pageSize = DefaultPageSize;
        qint64 m_rowsWritten = 0;
        quint64 m_attempt = 0;   // replies of a cancelled run are ignored
        bool m_running = false;
    };
}
