#include "core/localcloud/cellbatch.h"

#include <limits>

#include "core/localcloud/sqlitedatabase.h"

namespace Aq::LocalCloud
{
    CellBatch::CellBatch(qsizetype columns, qsizetype reserveBytes)
        : m_columns {columns}
    {
        m_bytes.reserve(reserveBytes);
    }

    qsizetype CellBatch::addRow()
    {
        const qsizetype row = rowCount();
        m_cells.resize(m_cells.size() + size_t(m_columns));
        return row;
    }

    void CellBatch::setNull(qsizetype row, qsizetype column)
    {
        cell(row, column) = Cell();
    }

    void CellBatch::setInteger(qsizetype row, qsizetype column, qint64 value)
    {
        Cell &c = cell(row, column);
        c.kind = Kind::Integer;
        c.integer = value;
    }

    void CellBatch::setReal(qsizetype row, qsizetype column, double value)
    {
        Cell &c = cell(row, column);
        c.kind = Kind::Real;
        c.real = value;
    }

    void CellBatch::setText(qsizetype row, qsizetype column, std::string_view utf8)
    {
        setBytes(row, column, Kind::Text, utf8);
    }

    void CellBatch::setBlob(qsizetype row, qsizetype column, std::string_view bytes)
    {
        setBytes(row, column, Kind::Blob, bytes);
    }

    void CellBatch::setBytes(qsizetype row, qsizetype column, Kind kind, std::string_view bytes)
    {
        // insertAll bodies are at most 10 MB; a single value cannot come near 4 GiB
        Q_ASSERT(bytes.size() <= std::numeric_limits<quint32>::max());
        Cell &c = cell(row, column);
        c.kind = kind;
        c.size = quint32(bytes.size());
        c.offset = m_bytes.size();
        m_bytes.append(bytes.data(), qsizetype(bytes.size()));
    }

    void CellBatch::set(qsizetype row, qsizetype column, const SqlValue &value)
    {
        switch (value.index()) {
        case 1: setInteger(row, column, std::get<qint64>(value)); break;
        case 2: setReal(row, column, std::get<double>(value)); break;
        case 3: {
            const QByteArray utf8 = std::get<QString>(value).toUtf8();
            setText(row, column, std::string_view(utf8.constData(), size_t(utf8.size())));
            break;
        }
        case 4: {
            const QByteArray &bytes = std::get<QByteArray>(value);
            setBlob(row, column, std::string_view(bytes.constData(), size_t(bytes.size())));
            break;
        }
        default: setNull(row, column); break;
        }
    }

    bool CellBatch::isNull(qsizetype row, qsizetype column) const
    {
        return cell(row, column).kind == Kind::Null;
    }

    std::string_view CellBatch::bytes(qsizetype row, qsizetype column) const
    {
        const Cell &c = cell(row, column);
        if (c.kind != Kind::Text && c.kind != Kind::Blob)
            return {};
        return std::string_view(m_bytes.constData() + c.offset, c.size);
    }

    SqlValue CellBatch::value(qsizetype row, qsizetype column) const
    {
        const Cell &c = cell(row, column);
        switch (c.kind) {
        case Kind::Integer: return c.integer;
        case Kind::Real: return c.real;
        case Kind::Text: return QString::fromUtf8(m_bytes.constData() + c.offset, qsizetype(c.size));
        case Kind::Blob: return QByteArray(m_bytes.constData() + c.offset, qsizetype(c.size));
        case Kind::Null: break;
        }
        return std::monostate {};
    }

    void CellBatch::bindRow(SqliteStatement &statement, qsizetype row, int firstIndex) const
    {
        const Cell *c = &cell(row, 0);
        for (qsizetype i = 0; i < m_columns; ++i, ++c) {
            const int index = firstIndex + int(i);
            switch (c->kind) {
            case Kind::Null: statement.bindNull(index); break;
            case Kind::Integer: statement.bind(index, c->integer); break;
            case Kind::Real: statement.bind(index, c->real); break;
            case Kind::Text: statement.bindStaticText(index, m_bytes.constData() + c->offset, qsizetype(c->size)); break;
            case Kind::Blob: statement.bindStaticBlob(index, m_bytes.constData() + c->offset, qsizetype(c->size)); break;
            }
        }
    }
}
