#include "core/localcloud/sqlitedatabase.h"

#include <algorithm>
#include <cmath>

#include <sqlite3.h>

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    QByteArray quotedIdentifier(const QString &name)
    {
        return '"' + name.toUtf8().replace('"', "\"\"") + '"';
    }

    namespace
    {
        constexpr size_t MAX_CACHED_STATEMENTS = 128;

        // SQLite counts every allocation under one process-wide mutex unless told not to, before it initializes
        // itself (perf: about a fifth of the local cloud thread in malloc, free and locks). Nothing here reads the
        // counts.
        void configureLibrary()
        {
            static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
            Q_UNUSED(configured);
        }
    }

    SqliteDatabase::~SqliteDatabase()
    {
        close();
    }

    Status SqliteDatabase::open(const QString &path, OpenMode mode)
    {
        close();
        configureLibrary();
        const int flags = (mode == OpenMode::ReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX;
        const int rc = sqlite3_open_v2(path.toUtf8().constData(), &m_db, flags, nullptr);
        if (rc != SQLITE_OK) {
            const QString message = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(rc));
            close();
            return ApiError::internal(u"Cannot open the local cloud store %1: %2"_s.arg(path, message));
        }
        sqlite3_extended_result_codes(m_db, 1);
        sqlite3_busy_timeout(m_db, 5000);
        return Ok {};
    }

    void SqliteDatabase::close()
    {
        m_statements.clear();
        if (m_db) {
            sqlite3_close_v2(m_db);
            m_db = nullptr;
        }
    }

    Status SqliteDatabase::exec(const QByteArray &sql)
    {
        char *message = nullptr;
        const int rc = sqlite3_exec(m_db, sql.constData(), nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            const QString text = QString::fromUtf8(message ? message : sqlite3_errstr(rc));
            sqlite3_free(message);
            ApiError e = ApiError::internal(u"SQLite: %1"_s.arg(text));
            if ((rc & 0xff) == SQLITE_FULL)
                e = ApiError::unavailable(u"The local cloud store is full (disk full): %1"_s.arg(text));
            return e;
        }
        return Ok {};
    }

    Result<SqliteStatement *> SqliteDatabase::prepare(const QByteArray &sql)
    {
        // Most recently used last, and looked for from there: the hot statements are found first. A caller may
        // hold a few statements at once, so evict only far back.
        for (auto it = m_statements.end(); it != m_statements.begin();) {
            --it;
            if (it->first == sql) {
                if (it + 1 != m_statements.end())
                    std::rotate(it, it + 1, m_statements.end());
                SqliteStatement *statement = m_statements.back().second.get();
                statement->reset();
                return statement;
            }
        }
        if (m_statements.size() >= MAX_CACHED_STATEMENTS)
            m_statements.erase(m_statements.begin());
        sqlite3_stmt *statement = nullptr;
        const int rc = sqlite3_prepare_v3(m_db, sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
        if (rc != SQLITE_OK)
            return error(u"prepare"_s);
        m_statements.emplace_back(sql, std::make_unique<SqliteStatement>(statement));
        return m_statements.back().second.get();
    }

    Result<SqliteStatement *> SqliteDatabase::prepareBound(const QByteArray &sql, std::initializer_list<SqlValue> values)
    {
        Result<SqliteStatement *> statement = prepare(sql);
        if (!statement)
            return statement;
        int index = 0;
        for (const SqlValue &value : values)
            (*statement)->bind(++index, value);
        return statement;
    }

    Status SqliteDatabase::execute(const QByteArray &sql, std::initializer_list<SqlValue> values, const QString &context)
    {
        Result<SqliteStatement *> statement = prepareBound(sql, values);
        if (!statement)
            return statement.error();
        (*statement)->step();
        const bool failed = (*statement)->hasError();
        (*statement)->reset();
        if (failed)
            return error(context);
        return Ok {};
    }

    Result<qint64> SqliteDatabase::integer(const QByteArray &sql, std::initializer_list<SqlValue> values, const QString &context)
    {
        Result<SqliteStatement *> statement = prepareBound(sql, values);
        if (!statement)
            return statement.error();
        const qint64 value = (*statement)->step() ? (*statement)->int64(0) : 0;
        const bool failed = (*statement)->hasError();
        (*statement)->reset();
        if (failed)
            return error(context);
        return value;
    }

    qint64 SqliteDatabase::lastInsertRowId() const
    {
        return sqlite3_last_insert_rowid(m_db);
    }

    int SqliteDatabase::changes() const
    {
        return sqlite3_changes(m_db);
    }

    QString SqliteDatabase::lastError() const
    {
        return m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : u"not open"_s;
    }

    ApiError SqliteDatabase::error(const QString &context) const
    {
        // extended result codes are on: compare the primary code
        const int code = m_db ? sqlite3_errcode(m_db) & 0xff : SQLITE_ERROR;
        if (code == SQLITE_FULL)
            return ApiError::unavailable(u"The local cloud store is full (disk full); nothing was stored."_s);
        return ApiError::internal(u"Local cloud store error (%1): %2"_s.arg(context, lastError()));
    }

    SqliteStatement::SqliteStatement(sqlite3_stmt *statement)
        : m_statement {statement}
    {
    }

    SqliteStatement::~SqliteStatement()
    {
        sqlite3_finalize(m_statement);
    }

    void SqliteStatement::reset()
    {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
        m_errorCode = 0;
    }

    void SqliteStatement::bind(int index, qint64 value)
    {
        sqlite3_bind_int64(m_statement, index, value);
    }

    void SqliteStatement::bind(int index, double value)
    {
        // SQLite stores a NaN REAL as NULL; BigQuery keeps FLOAT64 NaN. As the text "NaN" (which a REAL column
        // keeps as text: it is no number to SQLite) it reads back as BigQuery writes it in f/v rows.
        if (std::isnan(value))
            sqlite3_bind_text(m_statement, index, "NaN", 3, SQLITE_STATIC);
        else
            sqlite3_bind_double(m_statement, index, value);
    }

    void SqliteStatement::bind(int index, const QString &value)
    {
        const QByteArray utf8 = value.toUtf8();
        sqlite3_bind_text(m_statement, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }

    void SqliteStatement::bind(int index, const QByteArray &value)
    {
        sqlite3_bind_text(m_statement, index, value.constData(), int(value.size()), SQLITE_TRANSIENT);
    }

    void SqliteStatement::bindBlob(int index, const QByteArray &value)
    {
        // a zero-length blob must still be a blob, not NULL
        sqlite3_bind_blob(m_statement, index, value.isNull() ? "" : value.constData(), int(value.size()), SQLITE_TRANSIENT);
    }

    void SqliteStatement::bindStaticText(int index, const char *utf8, qsizetype size)
    {
        sqlite3_bind_text(m_statement, index, utf8 ? utf8 : "", int(size), SQLITE_STATIC);
    }

    void SqliteStatement::bindStaticBlob(int index, const char *bytes, qsizetype size)
    {
        sqlite3_bind_blob(m_statement, index, bytes ? bytes : "", int(size), SQLITE_STATIC);
    }

    void SqliteStatement::bindNull(int index)
    {
        sqlite3_bind_null(m_statement, index);
    }

    void SqliteStatement::bind(int index, const SqlValue &value)
    {
        switch (value.index()) {
        case 0: bindNull(index); break;
        case 1: bind(index, std::get<qint64>(value)); break;
        case 2: bind(index, std::get<double>(value)); break;
        case 3: bind(index, std::get<QString>(value)); break;
        case 4: bindBlob(index, std::get<QByteArray>(value)); break;
        }
    }

    bool SqliteStatement::step()
    {
        const int rc = sqlite3_step(m_statement);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            m_errorCode = rc;
        return false;
    }

    int SqliteStatement::columnCount() const
    {
        return sqlite3_column_count(m_statement);
    }

    bool SqliteStatement::isNull(int column) const
    {
        return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
    }

    qint64 SqliteStatement::int64(int column) const
    {
        return sqlite3_column_int64(m_statement, column);
    }

    double SqliteStatement::real(int column) const
    {
        return sqlite3_column_double(m_statement, column);
    }

    QString SqliteStatement::text(int column) const
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
        return QString::fromUtf8(data, sqlite3_column_bytes(m_statement, column));
    }

    QByteArray SqliteStatement::textUtf8(int column) const
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
        return QByteArray(data, sqlite3_column_bytes(m_statement, column));
    }

    QByteArray SqliteStatement::blob(int column) const
    {
        const auto *data = static_cast<const char *>(sqlite3_column_blob(m_statement, column));
        return QByteArray(data ? data : "", sqlite3_column_bytes(m_statement, column));
    }

    SqlValue SqliteStatement::value(int column) const
    {
        switch (sqlite3_column_type(m_statement, column)) {
        case SQLITE_INTEGER: return int64(column);
        case SQLITE_FLOAT: return real(column);
        case SQLITE_TEXT: return text(column);
        case SQLITE_BLOB: return blob(column);
        default: return std::monostate {};
        }
    }

    SqliteTransaction::SqliteTransaction(SqliteDatabase &db)
        : m_db {db}
    {
        m_active = m_db.exec("BEGIN IMMEDIATE").hasValue();
    }

    SqliteTransaction::~SqliteTransaction()
    {
        if (m_active)
            (void)m_db.exec("ROLLBACK");
    }

    Status SqliteTransaction::commit()
    {
        if (!m_active)
            return ApiError::internal(u"no transaction"_s);
        m_active = false;
        Status status = m_db.exec("COMMIT");
        if (!status)
            (void)m_db.exec("ROLLBACK");
        return status;
    }
}
