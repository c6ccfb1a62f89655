#include "app/cli/resultwriter.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "core/bigquery/cellformat.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::TableField;

namespace Aq::Cli
{
    namespace
    {
        constexpr qsizetype MaxColumnWidth = 60;

        void write(FILE *out, const QString &text)
        {
            const QByteArray utf8 = text.toUtf8();
            fwrite(utf8.constData(), 1, size_t(utf8.size()), out);
        }

        bool isNumeric(const TableField &field)
        {
            using BigQuery::FieldType;
            return !field.isRepeated()
                && (field.type == FieldType::Int64 || field.type == FieldType::Float64 || field.type == FieldType::Numeric
                    || field.type == FieldType::BigNumeric);
        }

        class TableWriter final : public ResultWriter
        {
        public:
            explicit TableWriter(FILE *out) : m_out {out} {}

            void writePage(const QList<TableField> &fields, const QList<QVariantList> &rows) override
            {
                QList<QStringList> texts;
                texts.reserve(rows.size());
                for (const QVariantList &row : rows) {
                    QStringList line;
                    for (qsizetype c = 0; c < fields.size(); ++c)
                        line.append(BigQuery::cellToText(fields[c], c < row.size() ? row[c] : QVariant()).replace(u'\n', u' '));
                    texts.append(line);
                }
                if (m_widths.isEmpty()) {
                    m_fields = fields;
                    for (const TableField &field : fields)
                        m_widths.append(qMin(MaxColumnWidth, field.name.size()));
                    for (const QStringList &line : std::as_const(texts)) {
                        for (qsizetype c = 0; c < line.size(); ++c)
                            m_widths[c] = qMax(m_widths[c], qMin(MaxColumnWidth, line[c].size()));
                    }
                    writeRule();
                    QStringList names;
                    for (const TableField &field : fields)
                        names.append(field.name);
                    writeLine(names, false);
                    writeRule();
                }
                for (const QStringList &line : std::as_const(texts))
                    writeLine(line, true);
                fflush(m_out);
            }

            void finish() override
            {
                if (!m_widths.isEmpty())
                    writeRule();
            }

        private:
            void writeRule()
            {
                QString rule = u"+"_s;
                for (qsizetype width : std::as_const(m_widths))
                    rule += QString(width + 2, u'-') + u'+';
                write(m_out, rule + u'\n');
            }

            void writeLine(const QStringList &cells, bool alignNumbers)
            {
                QString line = u"|"_s;
                for (qsizetype c = 0; c < cells.size(); ++c) {
                    QString cell = cells[c];
                    if (cell.size() > m_widths[c])
                        cell = cell.left(m_widths[c] - 1) + u"…"_s;
                    const bool right = alignNumbers && isNumeric(m_fields[c]);
                    line += u' ' + (right ? cell.rightJustified(m_widths[c]) : cell.leftJustified(m_widths[c])) + u" |"_s;
                }
                write(m_out, line + u'\n');
            }

            FILE *m_out;
            QList<TableField> m_fields;
            QList<qsizetype> m_widths;
        };

        class JsonWriter final : public ResultWriter
        {
        public:
            explicit JsonWriter(FILE *out) : m_out {out} {}

            void writePage(const QList<TableField> &fields, const QList<QVariantList> &rows) override
            {
                QByteArray text;
                for (const QVariantList &row : rows) {
                    text += m_first ? "[\n" : ",\n";
                    m_first = false;
                    text += '{';
                    for (qsizetype c = 0; c < fields.size(); ++c) {
                        if (c > 0)
                            text += ',';
                        // Field names are letters, digits and underscores: no escaping. A value alone is
                        // serialized inside an array whose brackets are dropped, to keep the schema's order.
                        const QJsonArray value {BigQuery::cellToJson(fields[c], c < row.size() ? row[c] : QVariant())};
                        const QByteArray json = QJsonDocument(value).toJson(QJsonDocument::Compact);
                        text += '"' + fields[c].name.toUtf8() + "\":" + json.mid(1, json.size() - 2);
                    }
                    text += '}';
                }
                fwrite(text.constData(), 1, size_t(text.size()), m_out);
                fflush(m_out);
            }

            void finish() override
            {
                fputs(m_first ? "[]\n" : "\n]\n", m_out);
            }

        private:
            FILE *m_out;
            bool m_first = true;
        };

        class CsvWriter final : public ResultWriter
        {
        public:
            explicit CsvWriter(FILE *out) : m_out {out} {}

            void writePage(const QList<TableField> &fields, const QList<QVariantList> &rows) override
            {
                QString text;
                if (!m_headerWritten) {
                    m_headerWritten = true;
                    QStringList names;
                    for (const TableField &field : fields)
                        names.append(quoted(field.name));
                    text += names.join(u',') + u"\r\n"_s;
                }
                for (const QVariantList &row : rows) {
                    QStringList cells;
                    for (qsizetype c = 0; c < fields.size(); ++c) {
                        const QVariant value = c < row.size() ? row[c] : QVariant();
                        cells.append(value.isValid() ? quoted(BigQuery::cellToText(fields[c], value)) : QString());
                    }
                    text += cells.join(u',') + u"\r\n"_s;
                }
                write(m_out, text);
                fflush(m_out);
            }

            void finish() override {}

        private:
            static QString quoted(const QString &text)
            {
                if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n') && !text.contains(u'\r'))
                    return text;
                QString escaped = text;
                escaped.replace(u"\""_s, u"\"\""_s);
                return u'"' + escaped + u'"';
            }

            FILE *m_out;
            bool m_headerWritten = false;
        };
    }

    std::unique_ptr<ResultWriter> ResultWriter::create(Format format, FILE *out)
    {
        switch (format) {
        case Format::Table: return std::make_unique<TableWriter>(out);
        case Format::Json: return std::make_unique<JsonWriter>(out);
        case Format::Csv: return std::make_unique<CsvWriter>(out);
        }
        return nullptr;
    }
}
