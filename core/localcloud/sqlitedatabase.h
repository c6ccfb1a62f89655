#pragma once

#include <memory>

#include <QByteArray>
#include <QString>

#include "core/common/result.h"
#include "core/localcloud/sql/sqltranslator.h"

struct sqlite3;
struct sqlite3_stmt;

namespace Aq::LocalCloud
{
    class SqliteStatement;

    // A table or column name for SQL text: in double quotes, inner quotes doubled.
    QByteArray quotedIdentifier(const QString &name);

    // A thin RAII owner of one sqlite3 connection. Not thread-safe: one per thread.
    class SqliteDatabase
    {
    public:
        enum class OpenMode
        {
            ReadWrite,
            ReadOnly,
        };

        SqliteDatabase() = default;
        ~SqliteDatabase();
        SqliteDatabase(const SqliteDatabase &) = delete;
        SqliteDatabase &operator=(const SqliteDatabase &) = delete;

        Status open(const QString &path, OpenMode mode);
        void close();
        bool isOpen() const { return m_db != nullptr; }
        sqlite3 *handle() const { return m_db; }

        Status exec(const QByteArray &sql);
        // One statement with its values bound in order (?1, ?2, ...), run to completion; `context` names the
        // operation in the error.
        Status execute(const QByteArray &sql, std::initializer_list<SqlValue> values, const QString &context);
        // The first column of the first row of such a statement, as an integer (0 when NULL or when there is no row).
        Result<qint64> integer(const QByteArray &sql, std::initializer_list<SqlValue> values, const QString &context);
        // Cached prepared statement, keyed by its text; reset before it is handed out.
        Result<SqliteStatement *> prepare(const QByteArray &sql);
        qint64 lastInsertRowId() const;
        int changes() const;
        QString lastError() const;
        ApiError error(const QString &context) const;

    private:
        Result<SqliteStatement *> prepareBound(const QByteArray &sql, std::initializer_list<SqlValue> values);

        sqlite3 *m_db = nullptr;
        std::vector<std::pair<QByteArray, std::unique_ptr<SqliteStatement>>> m_statements;
    };

    class SqliteStatement
    {
    public:
        explicit SqliteStatement(sqlite3_stmt *statement);
        ~SqliteStatement();
        SqliteStatement(const SqliteStatement &) = delete;
        SqliteStatement &operator=(const SqliteStatement &) = delete;

        void reset();
        void bind(int index, qint64 value);
        void bind(int index, double value);
        void bind(int index, const QString &value);
        void bind(int index, const QByteArray &value);   // as TEXT (UTF-8)
        void bindBlob(int index, const QByteArray &value);
        // TEXT (UTF-8) or BLOB bytes that SQLite reads where they lie, without a copy: they must stay unchanged until
        // the statement is reset.
        void bindStaticText(int index, const char *utf8, qsizetype size);
        void bindStaticBlob(int index, const char *bytes, qsizetype size);
        void bindNull(int index);
        void bind(int index, const SqlValue &value);

        // true: a row is ready; false: done. Errors make step() return false and error() non-empty.
        bool step();
        bool hasError() const { return m_errorCode != 0; }
        int errorCode() const { return m_errorCode; }
        int columnCount() const;
        bool isNull(int column) const;
        qint64 int64(int column) const;
        double real(int column) const;
        QString text(int column) const;
        QByteArray textUtf8(int column) const;
        QByteArray blob(int column) const;
        SqlValue value(int column) const;
        sqlite3_stmt *handle() const { return m_statement; }

    private:
        sqlite3_stmt *m_statement = nullptr;
        int m_errorCode = 0;
    };

    // BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed uncommitted.
    class SqliteTransaction
    {
    public:
        explicit SqliteTransaction(SqliteDatabase &db);
        ~SqliteTransaction();
        bool isActive() const { return m_active; }
        Status commit();

    private:
        SqliteDatabase &m_db;
        bool m_active = false;
    };
}
