#include "ui/rows/rowexporter.h"

#include <QSaveFile>

#include "core/bigquery/bigqueryclient.h"
#include "ui/rows/rowformat.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    RowExporter::RowExporter(BigQuery::BigQueryClient *client, RowQuery query, Format format, QString path, QObject *parent)
        : QObject(parent)
        , m_client {client}
        , m_query {std::move(query)}
        , m_format {format}
        , m_path {std::move(path)}
    {
    }

    RowExporter::~RowExporter()
    {
        if (m_file)
            m_file->cancelWriting();
    }

    RowExporter::Format RowExporter::formatForPath(const QString &path)
    {
        return path.endsWith(u".json"_s, Qt::CaseInsensitive) ? Format::Json : Format::Csv;
    }

    void RowExporter::setPageSize(int rows)
    {
        m_pageSize = qBound(1, rows, 100000);
    }

    void RowExporter::start()
    {
        if (m_running)
            return;
        if (!m_client)
            return finish(Outcome::Failed, tr("There is no connection to export from."));
        if (Status valid = m_query.validate(); !valid)
            return finish(Outcome::Failed, valid.error().message);
        m_file = std::make_unique<QSaveFile>(m_path);
        if (!m_file->open(QIODevice::WriteOnly))
            return finish(Outcome::Failed, tr("Cannot write %1: %2").arg(m_path, m_file->errorString()));
        m_running = true;
        m_rowsWritten = 0;
        m_after.reset();
        ++m_attempt;
        if (!write(m_format == Format::Csv ? csvHeader(m_query.table().schema.fields) : QByteArray("[")))
            return;
        emit progressed(0, m_expectedRows);
        requestNextPage();
    }

    void RowExporter::cancel()
    {
        if (!m_running)
            return;
        finish(Outcome::Cancelled, tr("Export cancelled; %1 was not written.").arg(m_path));
    }

    void RowExporter::requestNextPage()
    {
        if (!m_client)
            return finish(Outcome::Failed, tr("The connection closed during the export."));
        const BigQuery::QueryRequest request = m_after ? m_query.pageAfterRequest(*m_after, m_pageSize) : m_query.pageRequest(0, m_pageSize);
        m_client->query(request, this, [this, attempt = m_attempt](Result<BigQuery::QueryPage> page) {
            if (attempt == m_attempt && m_running)
                handlePage(std::move(page));
        });
    }

    void RowExporter::handlePage(Result<BigQuery::QueryPage> page)
    {
        if (!page)
            return finish(Outcome::Failed, m_query.explainError(page.error().message));
        const QList<BigQuery::TableField> &fields = m_query.table().schema.fields;
        QByteArray out;
        out.reserve(page->rows.size() * 400);
        for (const QVariantList &row : std::as_const(page->rows)) {
            if (m_format == Format::Csv) {
                appendCsvRow(fields, row, out);
            } else {
                out += m_rowsWritten == 0 && out.isEmpty() ? "\n" : ",\n";
                appendJsonRow(fields, row, out);
            }
        }
        if (!write(out))
            return;
        m_rowsWritten += page->rows.size();
        emit progressed(m_rowsWritten, m_expectedRows);
        // A reply may stop short of the page size (about 10 MB at most): go on from its last row all the same.
        const bool last = page->rows.isEmpty() || (page->rows.size() < m_pageSize && !page->hasMore());
        if (!last) {
            m_after = m_query.sortKeyOf(page->rows.last());
            return requestNextPage();
        }
        if (m_format == Format::Json && !write(m_rowsWritten ? QByteArray("\n]\n") : QByteArray("]\n")))
            return;
        if (!m_file->commit())
            return finish(Outcome::Failed, tr("Cannot write %1: %2").arg(m_path, m_file->errorString()));
        m_file.reset();
        finish(Outcome::Completed, m_path);
    }

    bool RowExporter::write(const QByteArray &bytes)
    {
        if (bytes.isEmpty() || m_file->write(bytes) == bytes.size())
            return true;
        finish(Outcome::Failed, tr("Cannot write %1: %2").arg(m_path, m_file->errorString()));
        return false;
    }

    void RowExporter::finish(Outcome outcome, const QString &message)
    {
        m_running = false;
        ++m_attempt;
        if (m_file) {
            m_file->cancelWriting();
            m_file.reset();   // without commit(): the temporary file goes, the target stays as it was
        }
        emit finished(outcome, message);
    }
}
