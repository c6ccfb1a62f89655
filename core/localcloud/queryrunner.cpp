#include "core/localcloud/queryrunner.h"

#include <memory>
#include <unordered_map>

#include <QPointer>

#include "core/localcloud/localstore.h"
#include "core/localcloud/sqlitedatabase.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        // Rows a count steps through before it runs COUNT(*) instead: about a millisecond of stepping.
        constexpr qint64 CountByStepping = 5000;

        Result<SqliteDatabase *> readerFor(const QString &dataDir)
        {
            // pool threads live as long as the pool, so their connections do too
            thread_local std::unordered_map<std::string, std::unique_ptr<SqliteDatabase>> readers;
            std::unique_ptr<SqliteDatabase> &db = readers[dataDir.toStdString()];
            if (!db) {
                db = std::make_unique<SqliteDatabase>();
                if (Status s = LocalStore::openReader(*db, dataDir); !s) {
                    db.reset();
                    return s.error();
                }
            }
            return db.get();
        }

        ApiError queryError(SqliteDatabase &db)
        {
            const QString message = db.lastError();
            if (message.startsWith(u"no such table"_s))
                return ApiError::notFound(u"Not found: the table was deleted while the query ran."_s);
            if (message.contains(u"interrupted"_s))
                return ApiError::internal(u"The query was cancelled."_s);
            return ApiError::invalidArgument(u"Query failed in the local cloud: %1"_s.arg(message), u"invalidQuery"_s);
        }
    }

    QueryRunner::QueryRunner(QString dataDir, QObject *parent)
        : QObject(parent)
        , m_dataDir {std::move(dataDir)}
    {
        m_pool.setMaxThreadCount(2);
        m_pool.setExpiryTimeout(-1);
    }

    QueryRunner::~QueryRunner()
    {
        m_pool.waitForDone();
    }

    void QueryRunner::waitForDone()
    {
        m_pool.waitForDone();
    }

    void QueryRunner::fetchPage(PageRequest request, std::function<void(Result<RowPage>)> done)
    {
        QPointer<QueryRunner> self(this);
        m_pool.start([self, dataDir = m_dataDir, request = std::move(request), done = std::move(done)]() mutable {
            Result<RowPage> page = runPage(dataDir, request);
            if (!self)
                return;
            QMetaObject::invokeMethod(self, [done = std::move(done), page = std::move(page)]() mutable { done(std::move(page)); }, Qt::QueuedConnection);
        });
    }

    Result<RowPage> QueryRunner::runPage(const QString &dataDir, const PageRequest &request)
    {
        Result<SqliteDatabase *> reader = readerFor(dataDir);
        if (!reader)
            return reader.error();
        SqliteDatabase &db = **reader;
        // One read transaction: the page and the count see the same snapshot.
        (void)db.exec("BEGIN");
        struct EndRead
        {
            SqliteDatabase &db;
            ~EndRead() { (void)db.exec("COMMIT"); }
        } endRead {db};

        RowPage page;
        const int n = int(request.bindings.size());
        const QByteArray sql = "SELECT * FROM (" + request.sql + ") LIMIT ?" + QByteArray::number(n + 1) + " OFFSET ?" + QByteArray::number(n + 2);
        Result<SqliteStatement *> select = db.prepare(sql);
        if (!select)
            return queryError(db);
        SqliteStatement *st = *select;
        for (int i = 0; i < n; ++i)
            st->bind(i + 1, request.bindings[i]);
        // Counting goes on stepping past the page (see below), so the statement is not cut after it.
        st->bind(n + 1, request.countTotal ? -1 : request.maxRows + 1);
        st->bind(n + 2, request.offset);
        JsonWriter writer(64 * 1024);
        writer.raw("[");
        const int columns = int(request.schema.fields.size());
        while (st->step()) {
            if (page.rowCount == request.maxRows || writer.size() >= request.maxBytes) {
                page.hasMore = true;
                break;
            }
            if (page.rowCount)
                writer.raw(",");
            writer.raw("{\"f\":[");
            for (int c = 0; c < columns; ++c) {
                if (c)
                    writer.raw(",");
                RowCodec::writeCell(writer, request.schema.fields[c], st->value(c), request.timestampFormat);
            }
            writer.raw("]}");
            if (request.lastColumnIsSeq)
                page.lastSeq = st->int64(columns);
            ++page.rowCount;
        }
        // The rows after the page, counted by stepping on through the same statement: a query with a LIMIT (a
        // page of the Rows page, a jump's window) ends within a few rows, where running it again under COUNT(*)
        // would sort it or skip its OFFSET a second time. A result that goes on past that is counted by COUNT(*),
        // which SQLite answers from the smallest index without building rows.
        qint64 rest = page.hasMore ? 1 : 0;
        bool ended = !page.hasMore;
        if (request.countTotal && page.hasMore) {
            while (rest < CountByStepping && st->step())
                ++rest;
            ended = rest < CountByStepping && !st->hasError();
        }
        const bool failed = st->hasError();
        st->reset();
        if (failed)
            return queryError(db);
        writer.raw("]");
        page.rowsJson = writer.take();
        if (request.countTotal && ended) {
            page.totalRows = request.offset + page.rowCount + rest;
        } else if (request.countTotal) {
            Result<SqliteStatement *> count = db.prepare("SELECT COUNT(*) FROM (" + request.sql + ")");
            if (!count)
                return queryError(db);
            for (int i = 0; i < n; ++i)
                (*count)->bind(i + 1, request.bindings[i]);
            if (!(*count)->step() && (*count)->hasError())
                return queryError(db);
            page.totalRows = (*count)->int64(0);
            (*count)->reset();
        }
        return page;
    }
}
