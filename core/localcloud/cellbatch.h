#pragma once

#include <string_view>
#include <vector>

#include <QByteArray>

#include "core/localcloud/sql/sqltranslator.h"

namespace Aq::LocalCloud
{
    class SqliteStatement;

    // Rows of cells in the storage encoding of sql/sqltranslator.h, row-major, a fixed number per row, with the
    // bytes of every TEXT and BLOB cell in one buffer. Filling it costs no allocation per value, and binding it
    // hands SQLite the UTF-8 bytes where they lie: no QString, no copy per value. insertAll decodes into it on
    // a pool thread; the writer binds from it.
    class CellBatch
    {
    public:
        explicit CellBatch(qsizetype columns = 0, qsizetype reserveBytes = 0);

        qsizetype columnCount() const { return m_columns; }
        qsizetype rowCount() const { return m_columns ? qsizetype(m_cells.size()) / m_columns : 0; }
        qsizetype addRow();   // a row of NULLs; returns its index
        void reserveRows(qsizetype rows) { m_cells.reserve(size_t(rows * m_columns)); }

        void setNull(qsizetype row, qsizetype column);
        void setInteger(qsizetype row, qsizetype column, qint64 value);
        void setReal(qsizetype row, qsizetype column, double value);
        void setText(qsizetype row, qsizetype column, std::string_view utf8);
        void setBlob(qsizetype row, qsizetype column, std::string_view bytes);
        // QString as TEXT (UTF-8), QByteArray as BLOB, as SqliteStatement::bind does.
        void set(qsizetype row, qsizetype column, const SqlValue &value);

        bool isNull(qsizetype row, qsizetype column) const;
        // The bytes of a TEXT or BLOB cell (empty for the other kinds); valid until the batch changes.
        std::string_view bytes(qsizetype row, qsizetype column) const;
        SqlValue value(qsizetype row, qsizetype column) const;

        // Binds the row's cells to parameters firstIndex, firstIndex + 1, ... The statement reads the bytes in
        // place: run and reset it before this batch changes or goes away.
        void bindRow(SqliteStatement &statement, qsizetype row, int firstIndex) const;

    private:
        enum class Kind : quint8
        {
            Null,
            Integer,
            Real,
            Text,
            Blob,
        };

        struct Cell
        {
            Kind kind = Kind::Null;
            quint32 size = 0;   // Text, Blob: bytes at `offset` in m_bytes
            union {
                qint64 integer = 0;
                double real;
                qint64 offset;
            };
        };

        Cell &cell(qsizetype row, qsizetype column) { return m_cells[size_t(row * m_columns + column)]; }
        const Cell &cell(qsizetype row, qsizetype column) const { return m_cells[size_t(row * m_columns + column)]; }
        void setBytes(qsizetype row, qsizetype column, Kind kind, std::string_view bytes);

        qsizetype m_columns = 0;
        std::vector<Cell> m_cells;
        QByteArray m_bytes;
    };
}
