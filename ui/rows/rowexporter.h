#pragma once

#include <memory>
#include <optional>

#include <QObject>
#include <QPointer>
#include <QString>

#include "core/bigquery/bigquerytypes.h"
#include "core/common/result.h"
#include "ui/rows/exportfile.h"
#include "ui/rows/rowquery.h"

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::Ui
{
    // Writes the whole result of a query to a CSV or JSON file, paging through it with keyset queries (every page
    // costs what the first does, however deep). The file is a QSaveFile: it appears, complete, only when the
    // last page is written; a failure or cancel() leaves no file behind (and an existing file untouched).
    //
    //   CSV   RFC 4180 with CRLF: a header of the column names, then cellToText of each cell, NULL empty
    //   JSON  an array of objects, one per line, members in column order, values as cellToJson gives them
    class RowExporter final : public QObject
    {
        Q_OBJECT

    public:
        enum class Format
        {
            Csv,
            Json,
        };

        enum class Outcome
        {
            Completed,
            Cancelled,
            Failed,
        };

        static constexpr int DefaultPageSize = 5000;

        RowExporter(BigQuery::BigQueryClient *client, RowQuery query, Format format, QString path, QObject *parent = nullptr);
        ~RowExporter() override;

        // ".json" is JSON, anything else CSV.
        static Format formatForPath(const QString &path);

        void setPageSize(int rows);
        // For the progress: the rows the browse counted (0: unknown).
        void setExpectedRows(qint64 rows) { m_expectedRows = rows; }

        void start();
        void cancel();

        bool isRunning() const { return m_running; }
        qint64 rowsWritten() const { return m_rowsWritten; }
        qint64 expectedRows() const { return m_expectedRows; }
        QString path() const { return m_file.path(); }
        Format format() const { return m_format; }

    signals:
        void progressed(qint64 rowsWritten, qint64 expectedRows);
        // `message`: the file's path when completed, else why not.
        void finished(Aq::Ui::RowExporter::Outcome outcome, const QString &message);

    private:
        void requestNextPage();
        void handlePage(Result<BigQuery::QueryPage> page);
        bool write(const QByteArray &bytes);   // false: failed, and finished
        void finish(Outcome outcome, const QString &message);

        QPointer<BigQuery::BigQueryClient> m_client;
        RowQuery m_query;
        Format m_format;
        ExportFile m_file;
        std::optional<SortKey> m_after;
        int m_pageSize = DefaultPageSize;
        qint64 m_rowsWritten = 0;
        qint64 m_expectedRows = 0;
        quint64 m_attempt = 0;   // replies of a cancelled run are ignored
        bool m_running = false;
    };
}
