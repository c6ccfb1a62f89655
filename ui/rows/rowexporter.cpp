#include "ui/rows/rowexporter.h"

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
        , m_file {std::move(path)}
    {
    }

    RowExporter::~RowExporter() = default;

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
        if (Status opened = m_file.open(); !opened)
            return finish(Outcome::Failed, opened.error().message);
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
        finish(Outcome::Cancelled, tr("Export cancelled; %1 was not written.").arg(m_file.path()));
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
        if (Status committed = m_file.commit(); !committed)
            return finish(Outcome::Failed, committed.error().message);
        finish(Outcome::Completed, m_file.path());
    }

    bool RowExporter::write(const QByteArray &bytes)
    {
        Status written = m_file.write(bytes);
        if (!written)
            finish(Outcome::Failed, written.error().message);
        return bool(written);
    }

    void RowExporter::finish(Outcome outcome, const QString &message)
    {
        m_running = false;
        ++m_attempt;
        m_file.discard();
        emit finished(outcome, message);
    }
}
