#include "ui/remote/remoteeventsexporter.h"

#include <QJsonObject>

#include "core/common/textencoding.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    RemoteEventsExporter::RemoteEventsExporter(Remote::OperatorClient *client, Remote::EventsFilter filter, RowExporter::Format format,
                                               QString path, QObject *parent)
        : QObject(parent)
        , m_client {client}
        , m_filter {std::move(filter)}
        , m_format {format}
        , m_file {std::move(path)}
    {
    }

    RemoteEventsExporter::~RemoteEventsExporter() = default;

    void RemoteEventsExporter::start()
    {
        if (m_running)
            return;
        if (!m_client)
            return finish(RowExporter::Outcome::Failed, tr("There is no server to export from."));
        if (Status opened = m_file.open(); !opened)
            return finish(RowExporter::Outcome::Failed, opened.error().message);
        m_running = true;
        m_rowsWritten = 0;
        ++m_attempt;
        if (!write(m_format == RowExporter::Format::Csv ? QByteArray("event_id,timestamp,event_data\r\n") : QByteArray("[")))
            return;
        emit progressed(0);
        requestPage({});
    }

    void RemoteEventsExporter::cancel()
    {
        if (m_running)
            finish(RowExporter::Outcome::Cancelled, tr("Export cancelled; %1 was not written.").arg(m_file.path()));
    }

    void RemoteEventsExporter::requestPage(const QString &pageToken)
    {
        if (!m_client)
            return finish(RowExporter::Outcome::Failed, tr("The server's window closed during the export."));
        m_client->events(m_filter, m_pageSize, pageToken, this, [this, attempt = m_attempt](Result<Remote::RemotePage> page) {
            if (attempt == m_attempt && m_running)
                handlePage(std::move(page));
        });
    }

    void RemoteEventsExporter::handlePage(Result<Remote::RemotePage> page)
    {
        if (!page)
            return finish(RowExporter::Outcome::Failed, tr("GET /events: %1").arg(page.error().message));
        QByteArray out;
        out.reserve(page->rows.size() * 400);
        for (const QJsonObject &event : std::as_const(page->rows)) {
            if (m_format == RowExporter::Format::Csv) {
                for (const QString &column : {u"event_id"_s, u"timestamp"_s, u"event_data"_s}) {
                    if (column != u"event_id"_s)
                        out += ',';
                    const QJsonValue value = event.value(column);
                    if (value.isString())
                        Text::appendCsvField(value.toString().toUtf8(), out);
                    else if (!value.isNull() && !value.isUndefined())
                        Text::appendCsvField(Text::jsonText(value), out);   // NULL stays an empty field
                }
                out += "\r\n";
            } else {
                out += m_rowsWritten == 0 && out.isEmpty() ? "\n" : ",\n";
                out += Text::jsonText(event);
            }
        }
        if (!write(out))
            return;
        m_rowsWritten += page->rows.size();
        emit progressed(m_rowsWritten);
        if (!page->nextPageToken.isEmpty())
            return requestPage(page->nextPageToken);
        if (m_format == RowExporter::Format::Json && !write(m_rowsWritten ? QByteArray("\n]\n") : QByteArray("]\n")))
            return;
        if (Status committed = m_file.commit(); !committed)
            return finish(RowExporter::Outcome::Failed, committed.error().message);
        finish(RowExporter::Outcome::Completed, m_file.path());
    }

    bool RemoteEventsExporter::write(const QByteArray &bytes)
    {
        Status written = m_file.write(bytes);
        if (!written)
            finish(RowExporter::Outcome::Failed, written.error().message);
        return bool(written);
    }

    void RemoteEventsExporter::finish(RowExporter::Outcome outcome, const QString &message)
    {
        m_running = false;
        ++m_attempt;
        m_file.discard();
        emit finished(outcome, message);
    }
}
