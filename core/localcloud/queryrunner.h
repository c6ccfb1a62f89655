#pragma once

#include <functional>

#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"
#include "core/localcloud/rowcodec.h"
#include "core/localcloud/sql/sqltranslator.h"

namespace Aq::LocalCloud
{
    // One page of rows in the f/v encoding, ready to splice into a reply.
    struct RowPage
    {
        QByteArray rowsJson;        // "[{"f":[...]},...]"; "[]" when empty
        qint64 rowCount = 0;
        qint64 lastSeq = 0;         // for tabledata.list keyset paging
        bool hasMore = false;
        qint64 totalRows = -1;      // when it was counted
    };

    struct PageRequest
    {
        QByteArray sql;             // SELECT ... producing the columns of `schema` (tabledata: plus _aq_seq last)
        QList<SqlValue> bindings;
        BigQuery::TableSchema schema;
        qint64 offset = 0;
        qint64 maxRows = 100000;
        qint64 maxBytes = 10 * 1024 * 1024;
        bool countTotal = false;    // also run SELECT COUNT(*) over the query
        bool lastColumnIsSeq = false;
        RowCodec::TimestampFormat timestampFormat = RowCodec::TimestampFormat::FloatSeconds;
    };

    // The local cloud's worker pool: read queries, each pool thread with its own read-only SQLite connection
    // (WAL lets them read while the one writer writes), so a long query never stalls publishing or pulling;
    // and other work that must stay off the writer thread (insertAll parsing, WAL checkpoints) via run().
    class QueryRunner final : public QObject
    {
        Q_OBJECT

    public:
        QueryRunner(QString dataDir, QObject *parent = nullptr);
        ~QueryRunner() override;

        // `done` is called on this object's thread.
        void fetchPage(PageRequest request, std::function<void(Result<RowPage>)> done);

        // Any pure work (no shared state) on the pool; `done` gets its result on this object's thread.
        template <typename T>
        void run(std::function<T()> work, std::function<void(T)> done)
        {
            QPointer<QueryRunner> self(this);
            m_pool.start([self, work = std::move(work), done = std::move(done)]() mutable {
                T result = work();
                if (self)
                    QMetaObject::invokeMethod(self, [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); }, Qt::QueuedConnection);
            });
        }
        void waitForDone();

    private:
        static Result<RowPage> runPage(const QString &dataDir, const PageRequest &request);

        QString m_dataDir;
        QThreadPool m_pool;
    };
}
