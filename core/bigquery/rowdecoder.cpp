#include "core/bigquery/rowdecoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <QDate>
#include <QJsonDocument>
#include <QJsonParseError>

#include <simdjson.h>

#include "core/bigquery/numeric.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::BigQuery
{
    namespace
    {
        // BigQuery's TIMESTAMP range, 0001-01-01 to 9999-12-31 23:59:59.999999 UTC.
        constexpr qint64 MIN_TIMESTAMP_MICROS = -62135596800000000LL;
        constexpr qint64 MAX_TIMESTAMP_MICROS = 253402300799999999LL;

        // What went wrong and where; the path is built on the way out of the recursion (".attrs[1].key"), so
        // the cells that decode cost nothing for it.
        struct Failure
        {
            QString path;
            QString type;
            QString problem;
        };

        // A problem with one value of the field (for REPEATED, with one element).
        bool fail(Failure &failure, const TableField &field, const QString &problem)
        {
            failure.type = standardTypeName(field.type);
            failure.problem = problem;
            return false;
        }

        // A problem with a REPEATED field's array as a whole.
        bool failArray(Failure &failure, const TableField &field, const QString &problem)
        {
            failure.type = u"ARRAY<"_s + standardTypeName(field.type) + u'>';
            failure.problem = problem;
            return false;
        }

        QString quoted(std::string_view text)
        {
            constexpr qsizetype MAX_SHOWN = 40;
            const QString all = QString::fromUtf8(text.data(), qsizetype(text.size()));
            return u'\'' + (all.size() > MAX_SHOWN ? all.left(MAX_SHOWN) + u"..."_s : all) + u'\'';
        }

        enum class Kind
        {
            Null,
            String,
            Number,
            Bool,
            Array,
            Object,
        };

        QString kindName(Kind kind)
        {
            switch (kind) {
            case Kind::Null:
                return u"null"_s;
            case Kind::String:
                return u"a string"_s;
            case Kind::Number:
                return u"a number"_s;
            case Kind::Bool:
                return u"a boolean"_s;
            case Kind::Array:
                return u"an array"_s;
            case Kind::Object:
                return u"an object"_s;
            }
            return {};
        }

        // ---- scalars, from their UTF-8 text ----

        bool isDigit(char c)
        {
            return c >= '0' && c <= '9';
        }

        // "d" digits from "from", or -1
        int digitsAt(std::string_view text, size_t from, size_t count)
        {
            if (from + count > text.size())
                return -1;
            int value = 0;
            for (size_t i = from; i < from + count; ++i) {
                if (!isDigit(text[i]))
                    return -1;
                value = value * 10 + (text[i] - '0');
            }
            return value;
        }

        std::optional<qint64> parseInt64(std::string_view text)
        {
            qint64 value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size() || text.empty())
                return std::nullopt;
            return value;
        }

        std::optional<double> parseFloat64(std::string_view text)
        {
            // from_chars also reads BigQuery's "NaN", "Infinity" and "-Infinity" (case-insensitively)
            double value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size() || text.empty())
                return std::nullopt;
            return value;
        }

        // [-]digits[.digits] with no leading zero, no trailing fraction zero and no "-0", within the type's digits
        // (NUMERIC 29 before the point and 9 after, BIGNUMERIC 38 and 38): BigQuery's form, kept as it is.
        bool isCanonicalDecimal(std::string_view text, bool big)
        {
            size_t i = text.starts_with('-') ? 1 : 0;
            const size_t integerStart = i;
            while (i < text.size() && isDigit(text[i]))
                ++i;
            const size_t integerDigits = i - integerStart;
            if (integerDigits == 0 || (integerDigits > 1 && text[integerStart] == '0') || integerDigits > (big ? 38U : 29U))
                return false;
            if (i == text.size())
                return !(integerStart == 1 && text == "-0");
            if (text[i] != '.' || i + 1 == text.size() || text.back() == '0' || text.size() - i - 1 > (big ? 38U : 9U))
                return false;
            for (++i; i < text.size(); ++i) {
                if (!isDigit(text[i]))
                    return false;
            }
            return true;
        }

        std::optional<QString> parseNumeric(std::string_view text, bool big)
        {
            if (isCanonicalDecimal(text, big))
                return QString::fromLatin1(text.data(), qsizetype(text.size()));
            return normalizeNumeric(QString::fromUtf8(text.data(), qsizetype(text.size())), big);
        }

        // "1.714564800123456E9" (seconds, any decimal or E-notation) to microseconds, exactly: the digits are
        // read as an integer and the point moved, then rounded half away from zero to the microsecond.
        std::optional<qint64> parseDecimalSeconds(std::string_view text)
        {
            size_t i = 0;
            const bool negative = text.starts_with('-');
            if (negative || text.starts_with('+'))
                ++i;
            __int128 mantissa = 0;
            int significant = 0;
            int scale = 6;   // power of ten that turns the mantissa into microseconds
            bool anyDigit = false;
            bool point = false;
            for (; i < text.size(); ++i) {
                const char c = text[i];
                if (c == '.' && !point) {
                    point = true;
                    continue;
                }
                if (!isDigit(c))
                    break;
                anyDigit = true;
                if (point)
                    --scale;
                if (mantissa == 0 && c == '0')
                    continue;
                if (++significant > 36)
                    return std::nullopt;
                mantissa = mantissa * 10 + (c - '0');
            }
            if (!anyDigit)
                return std::nullopt;
            if (i < text.size()) {
                if (text[i] != 'e' && text[i] != 'E')
                    return std::nullopt;
                int exponent = 0;
                const std::string_view rest = text.substr(i + 1);
                const size_t skipPlus = rest.starts_with('+') ? 1 : 0;
                const auto [end, error] = std::from_chars(rest.data() + skipPlus, rest.data() + rest.size(), exponent);
                if (error != std::errc() || end != rest.data() + rest.size() || rest.size() == skipPlus)
                    return std::nullopt;
                if (exponent < -100 || exponent > 100)
                    return mantissa == 0 ? std::optional<qint64>(0) : std::nullopt;
                scale += exponent;
            }
            if (mantissa != 0 && scale > 0) {
                if (significant + scale > 19)
                    return std::nullopt;
                for (int k = 0; k < scale; ++k)
                    mantissa *= 10;
            } else if (scale < 0) {
                if (-scale > 37)
                    return 0;
                __int128 divisor = 1;
                for (int k = 0; k < -scale; ++k)
                    divisor *= 10;
                mantissa = (mantissa + divisor / 2) / divisor;
            }
            const __int128 micros = negative ? -mantissa : mantissa;
            // A double has about 30 µs of resolution near the ends of the range, so the float form of
            // 9999-12-31 23:59:59.999999 reads as 253402300800 s ("2.534023008E11"): a value that close is the end.
            constexpr qint64 FLOAT_SLACK_MICROS = 1000;
            if (micros < MIN_TIMESTAMP_MICROS - FLOAT_SLACK_MICROS || micros > MAX_TIMESTAMP_MICROS + FLOAT_SLACK_MICROS)
                return std::nullopt;
            return qBound(MIN_TIMESTAMP_MICROS, qint64(micros), MAX_TIMESTAMP_MICROS);
        }

        std::optional<qint64> parseTimestampCell(std::string_view text)
        {
            if (text.size() >= 10 && text[4] == '-') {   // RFC 3339, or another civil form BigQuery reads
                const std::optional<qint64> micros = Time::parseTimestamp(QString::fromUtf8(text.data(), qsizetype(text.size())));
                if (micros && (*micros < MIN_TIMESTAMP_MICROS || *micros > MAX_TIMESTAMP_MICROS))
                    return std::nullopt;
                return micros;
            }
            if (text.find_first_of(".eE") == std::string_view::npos) {   // useInt64Timestamp: microseconds
                const std::optional<qint64> micros = parseInt64(text);
                if (micros && (*micros < MIN_TIMESTAMP_MICROS || *micros > MAX_TIMESTAMP_MICROS))
                    return std::nullopt;
                return micros;
            }
            return parseDecimalSeconds(text);
        }

        std::optional<QDate> parseDate(std::string_view text)
        {
            if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
                const int y = digitsAt(text, 0, 4);
                const int m = digitsAt(text, 5, 2);
                const int d = digitsAt(text, 8, 2);
                if (y >= 1 && m >= 0 && d >= 0 && QDate::isValid(y, m, d))
                    return QDate(y, m, d);
                return std::nullopt;
            }
            const std::optional<QString> normalized = Time::normalizeDate(QString::fromUtf8(text.data(), qsizetype(text.size())));
            if (!normalized)
                return std::nullopt;
            return QDate::fromString(*normalized, Qt::ISODate);
        }

        // "HH:MM:SS[.f{1,6}]"
        bool isCanonicalTime(std::string_view text)
        {
            if (text.size() < 8 || text[2] != ':' || text[5] != ':')
                return false;
            const int h = digitsAt(text, 0, 2);
            const int m = digitsAt(text, 3, 2);
            const int s = digitsAt(text, 6, 2);
            if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59)
                return false;
            if (text.size() == 8)
                return true;
            if (text[8] != '.' || text.size() > 15 || text.size() == 9)
                return false;
            return digitsAt(text, 9, text.size() - 9) >= 0;
        }

        std::optional<QString> parseTime(std::string_view text)
        {
            if (isCanonicalTime(text))
                return QString::fromLatin1(text.data(), qsizetype(text.size()));
            return Time::normalizeTime(QString::fromUtf8(text.data(), qsizetype(text.size())));
        }

        std::optional<QString> parseDatetime(std::string_view text)
        {
            if (text.size() >= 19 && text[10] == 'T' && parseDate(text.substr(0, 10)) && isCanonicalTime(text.substr(11)))
                return QString::fromLatin1(text.data(), qsizetype(text.size()));
            return Time::normalizeDatetime(QString::fromUtf8(text.data(), qsizetype(text.size())));
        }

        std::optional<QJsonValue> parseJson(std::string_view text)
        {
            const QByteArray raw = QByteArray::fromRawData(text.data(), qsizetype(text.size()));
            const size_t first = text.find_first_not_of(" \t\r\n");
            QJsonParseError error;
            if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
                const QJsonDocument document = QJsonDocument::fromJson(raw, &error);
                if (error.error != QJsonParseError::NoError)
                    return std::nullopt;
                return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
            }
            // a scalar: QJsonDocument only reads objects and arrays
            const QJsonDocument document = QJsonDocument::fromJson('[' + raw + ']', &error);
            if (error.error != QJsonParseError::NoError || document.array().size() != 1)
                return std::nullopt;
            return document.array().at(0);
        }

        // Every type but STRING, GEOGRAPHY and RECORD, from the cell's text.
        bool decodeText(const TableField &field, std::string_view text, QVariant &out, Failure &failure)
        {
            switch (field.type) {
            case FieldType::String:
            case FieldType::Geography:
                out = QString::fromUtf8(text.data(), qsizetype(text.size()));
                return true;
            case FieldType::Bytes: {
                QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(QByteArray::fromRawData(text.data(), qsizetype(text.size())),
                                                                                      QByteArray::AbortOnBase64DecodingErrors);
                if (!decoded)
                    return fail(failure, field, quoted(text) + u" is not base64."_s);
                out = std::move(decoded.decoded);
                return true;
            }
            case FieldType::Int64:
                if (const std::optional<qint64> value = parseInt64(text)) {
                    out = *value;
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not a 64-bit integer."_s);
            case FieldType::Float64:
                if (const std::optional<double> value = parseFloat64(text)) {
                    out = *value;
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not a floating-point number."_s);
            case FieldType::Numeric:
            case FieldType::BigNumeric:
                if (std::optional<QString> value = parseNumeric(text, field.type == FieldType::BigNumeric)) {
                    out = std::move(*value);
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not a %1 value."_s.arg(standardTypeName(field.type)));
            case FieldType::Bool:
                if (text.size() == 4 && QByteArrayView(text.data(), 4).compare("true", Qt::CaseInsensitive) == 0) {
                    out = true;
                    return true;
                }
                if (text.size() == 5 && QByteArrayView(text.data(), 5).compare("false", Qt::CaseInsensitive) == 0) {
                    out = false;
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not true or false."_s);
            case FieldType::Timestamp:
                if (const std::optional<qint64> micros = parseTimestampCell(text)) {
                    out = QVariant::fromValue(Timestamp {*micros});
                    return true;
                }
                return fail(failure, field,
                            quoted(text) + u" is not a timestamp (float seconds, integer microseconds or RFC 3339, within 0001-01-01 to 9999-12-31)."_s);
            case FieldType::Date:
                if (const std::optional<QDate> date = parseDate(text)) {
                    out = *date;
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not a date (YYYY-MM-DD)."_s);
            case FieldType::Time:
                if (std::optional<QString> time = parseTime(text)) {
                    out = std::move(*time);
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not a time (HH:MM:SS[.ffffff])."_s);
            case FieldType::Datetime:
                if (std::optional<QString> datetime = parseDatetime(text)) {
                    out = std::move(*datetime);
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not a datetime (YYYY-MM-DDTHH:MM:SS[.ffffff])."_s);
            case FieldType::Json:
                if (std::optional<QJsonValue> json = parseJson(text)) {
                    out = QVariant::fromValue(std::move(*json));
                    return true;
                }
                return fail(failure, field, quoted(text) + u" is not JSON text."_s);
            case FieldType::Record:
                break;
            }
            return fail(failure, field, u"a record cannot be read from a string."_s);
        }

        // ---- the f/v structure, over either JSON representation ----

        // simdjson's DOM: the bytes entry point.
        class SimdNode
        {
        public:
            SimdNode() = default;
            explicit SimdNode(simdjson::dom::element element) : m_element {element} {}

            Kind kind() const
            {
                using simdjson::dom::element_type;
                switch (m_element.type()) {
                case element_type::NULL_VALUE:
                    return Kind::Null;
                case element_type::STRING:
                    return Kind::String;
                case element_type::BOOL:
                    return Kind::Bool;
                case element_type::ARRAY:
                    return Kind::Array;
                case element_type::OBJECT:
                    return Kind::Object;
                default:
                    return Kind::Number;
                }
            }

            QString string() const
            {
                const std::string_view text = m_element.get_string().value_unsafe();
                return QString::fromUtf8(text.data(), qsizetype(text.size()));
            }

            template <typename F>
            bool withUtf8(F &&f) const
            {
                return f(m_element.get_string().value_unsafe());
            }

            qsizetype size() const { return qsizetype(m_element.get_array().value_unsafe().size()); }

            template <typename F>
            bool forEach(F &&f) const
            {
                const simdjson::dom::array array = m_element.get_array().value_unsafe();
                for (simdjson::dom::element child : array) {
                    if (!f(SimdNode(child)))
                        return false;
                }
                return true;
            }

            bool member(std::string_view key, SimdNode &out) const
            {
                if (m_element.type() != simdjson::dom::element_type::OBJECT)
                    return false;
                return m_element.get_object().value_unsafe().at_key(key).get(out.m_element) == simdjson::SUCCESS;
            }

        private:
            simdjson::dom::element m_element;
        };

        // QJsonValue: the entry point for callers that hold a parsed reply.
        class QtNode
        {
        public:
            QtNode() = default;
            explicit QtNode(QJsonValue value) : m_value {std::move(value)} {}

            Kind kind() const
            {
                switch (m_value.type()) {
                case QJsonValue::String:
                    return Kind::String;
                case QJsonValue::Double:
                    return Kind::Number;
                case QJsonValue::Bool:
                    return Kind::Bool;
                case QJsonValue::Array:
                    return Kind::Array;
                case QJsonValue::Object:
                    return Kind::Object;
                default:
                    return Kind::Null;
                }
            }

            QString string() const { return m_value.toString(); }

            template <typename F>
            bool withUtf8(F &&f) const
            {
                const QByteArray utf8 = m_value.toString().toUtf8();
                return f(std::string_view(utf8.constData(), size_t(utf8.size())));
            }

            qsizetype size() const { return m_value.toArray().size(); }

            template <typename F>
            bool forEach(F &&f) const
            {
                const QJsonArray array = m_value.toArray();
                for (const QJsonValue &child : array) {
                    if (!f(QtNode(child)))
                        return false;
                }
                return true;
            }

            bool member(std::string_view key, QtNode &out) const
            {
                if (!m_value.isObject())
                    return false;
                const QJsonObject object = m_value.toObject();
                const auto it = object.constFind(QLatin1StringView(key.data(), qsizetype(key.size())));
                if (it == object.constEnd())
                    return false;
                out.m_value = it.value();
                return true;
            }

        private:
            QJsonValue m_value;
        };

        template <typename Node>
        bool decodeCells(const QList<TableField> &fields, const Node &cells, QVariantList &out, Failure &failure);

        // A value of one field, not counting REPEATED: null, a RECORD's {"f":[...]}, or a scalar's string.
        template <typename Node>
        bool decodeSingle(const TableField &field, const Node &v, QVariant &out, Failure &failure)
        {
            const Kind kind = v.kind();
            if (kind == Kind::Null) {
                out = QVariant();
                return true;
            }
            if (field.type == FieldType::Record) {
                Node cells;
                if (!v.member("f", cells) || cells.kind() != Kind::Array)
                    return fail(failure, field, u"expected an object {\"f\":[...]}, got %1."_s.arg(kindName(kind)));
                QVariantList values;
                if (!decodeCells(field.fields, cells, values, failure))
                    return false;
                out = std::move(values);
                return true;
            }
            if (kind != Kind::String)
                return fail(failure, field, u"expected a string, got %1."_s.arg(kindName(kind)));
            if (field.type == FieldType::String || field.type == FieldType::Geography) {
                out = v.string();
                return true;
            }
            return v.withUtf8([&](std::string_view text) { return decodeText(field, text, out, failure); });
        }

        // One cell's v: for REPEATED, an array of {"v": ...}.
        template <typename Node>
        bool decodeField(const TableField &field, const Node &v, QVariant &out, Failure &failure)
        {
            if (!field.isRepeated())
                return decodeSingle(field, v, out, failure);
            const Kind kind = v.kind();
            QVariantList elements;
            if (kind == Kind::Null) {
                out = elements;
                return true;
            }
            if (kind != Kind::Array)
                return failArray(failure, field, u"expected an array, got %1."_s.arg(kindName(kind)));
            elements.reserve(v.size());
            const bool ok = v.forEach([&](const Node &element) {
                Node inner;
                QVariant value;
                const bool decoded = element.member("v", inner) ? decodeSingle(field, inner, value, failure)
                                                                : fail(failure, field, u"expected {\"v\":...}, got %1."_s.arg(kindName(element.kind())));
                if (!decoded) {
                    failure.path.prepend(u'[' + QString::number(elements.size()) + u']');
                    return false;
                }
                elements.append(std::move(value));
                return true;
            });
            if (!ok)
                return false;
            out = std::move(elements);
            return true;
        }

        // A row's or a RECORD's "f": one {"v": ...} per field, in schema order.
        template <typename Node>
        bool decodeCells(const QList<TableField> &fields, const Node &cells, QVariantList &out, Failure &failure)
        {
            if (cells.size() != fields.size()) {
                failure.problem = u"it has %1 cells, the schema has %2 fields."_s.arg(cells.size()).arg(fields.size());
                return false;
            }
            out.reserve(fields.size());
            return cells.forEach([&](const Node &cell) {
                const TableField &field = fields[out.size()];
                Node v;
                QVariant value;
                const bool decoded = cell.member("v", v) ? decodeField(field, v, value, failure)
                                                         : fail(failure, field, u"expected {\"v\":...}, got %1."_s.arg(kindName(cell.kind())));
                if (!decoded) {
                    failure.path.prepend(u'.' + field.name);
                    return false;
                }
                out.append(std::move(value));
                return true;
            });
        }

        ApiError decodeError(const QString &message)
        {
            ApiError error = ApiError::internal(message);
            error.retryable = false;   // the same reply would fail the same way
            return error;
        }

        // "Cannot decode row 3, column attrs[1].key (STRING): ..."; the path starts with the separator
        // before the top-level column's name, which is dropped.
        ApiError cellError(const QString &row, const Failure &failure)
        {
            QString where = row;
            if (!failure.path.isEmpty())
                where += (where.isEmpty() ? u"column "_s : u", column "_s) + failure.path.mid(1);
            if (!failure.type.isEmpty())
                where += u" ("_s + failure.type + u')';
            return decodeError(u"Cannot decode %1: %2"_s.arg(where, failure.problem));
        }

        template <typename Node>
        bool decodeRow(const QList<TableField> &fields, const Node &row, QVariantList &out, Failure &failure)
        {
            Node cells;
            if (!row.member("f", cells) || cells.kind() != Kind::Array) {
                failure.problem = u"expected an object {\"f\":[...]}, got %1."_s.arg(kindName(row.kind()));
                return false;
            }
            return decodeCells(fields, cells, out, failure);
        }

        // Large replies are decoded on several threads, each a contiguous run of rows into its own slots; the
        // error reported is the first failing row's, as in one pass. (QJsonDocument::fromJson, for JSON cells,
        // is most of the time, and it cannot be made faster from outside Qt.)
        constexpr qsizetype PARALLEL_MIN_ROWS = 4096;
        constexpr unsigned MAX_THREADS = 8;

        template <typename Node>
        Result<QList<QVariantList>> decodeRowNodes(const QList<TableField> &fields, const std::vector<Node> &rows, bool parallel)
        {
            const qsizetype count = qsizetype(rows.size());
            QList<QVariantList> out(count);
            QVariantList *destination = out.data();
            const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
            const unsigned threads = parallel ? unsigned(std::clamp<qsizetype>(count / (PARALLEL_MIN_ROWS / 2), 1, std::min(cores, MAX_THREADS))) : 1U;
            struct Chunk
            {
                qsizetype failedRow = -1;
                Failure failure;
            };
            std::vector<Chunk> chunks(threads);
            auto decodeChunk = [&](unsigned k) {
                const qsizetype from = count * k / threads;
                const qsizetype to = count * (k + 1) / threads;
                for (qsizetype i = from; i < to; ++i) {
                    if (!decodeRow(fields, rows[size_t(i)], destination[i], chunks[k].failure)) {
                        chunks[k].failedRow = i;
                        return;
                    }
                }
            };
            {
                std::vector<std::jthread> helpers;
                for (unsigned k = 1; k < threads; ++k) {
                    try {
                        helpers.emplace_back(decodeChunk, k);
                    } catch (const std::system_error &) {   // no thread to be had: this one does the chunk
                        decodeChunk(k);
                    }
                }
                decodeChunk(0);
            }
            for (const Chunk &chunk : chunks) {
                if (chunk.failedRow >= 0)
                    return cellError(u"row %1"_s.arg(chunk.failedRow), chunk.failure);
            }
            return out;
        }

        QJsonValue toQJsonValue(simdjson::dom::element element)
        {
            using simdjson::dom::element_type;
            switch (element.type()) {
            case element_type::NULL_VALUE:
                return QJsonValue::Null;
            case element_type::BOOL:
                return element.get_bool().value_unsafe();
            case element_type::INT64:
                return qint64(element.get_int64().value_unsafe());
            case element_type::UINT64:
            case element_type::DOUBLE:
                return element.get_double().value_unsafe();
            case element_type::STRING: {
                const std::string_view text = element.get_string().value_unsafe();
                return QString::fromUtf8(text.data(), qsizetype(text.size()));
            }
            case element_type::ARRAY: {
                const simdjson::dom::array children = element.get_array().value_unsafe();
                QJsonArray array;
                for (simdjson::dom::element child : children)
                    array.append(toQJsonValue(child));
                return array;
            }
            case element_type::OBJECT: {
                const simdjson::dom::object members = element.get_object().value_unsafe();
                QJsonObject object;
                for (const simdjson::dom::key_value_pair member : members)
                    object.insert(QString::fromUtf8(member.key.data(), qsizetype(member.key.size())), toQJsonValue(member.value));
                return object;
            }
            }
            return {};
        }

        Result<DecodedReply> decodeReplyBody(const QByteArray &body, const QList<TableField> *fields)
        {
            simdjson::dom::parser parser;
            simdjson::dom::element document;
            if (const auto error = parser.parse(body.constData(), size_t(body.size())).get(document); error != simdjson::SUCCESS)
                return decodeError(u"The reply is not valid JSON: %1."_s.arg(QString::fromLatin1(simdjson::error_message(error))));
            simdjson::dom::object top;
            if (document.get_object().get(top) != simdjson::SUCCESS)
                return decodeError(u"The reply is not a JSON object."_s);
            DecodedReply reply;
            std::optional<simdjson::dom::element> rows;
            for (const simdjson::dom::key_value_pair member : top) {
                if (member.key == "rows")
                    rows = member.value;
                else
                    reply.other.insert(QString::fromUtf8(member.key.data(), qsizetype(member.key.size())), toQJsonValue(member.value));
            }
            if (fields) {
                reply.fields = *fields;
            } else if (reply.other.contains(u"schema"_s)) {
                Result<TableSchema> schema = TableSchema::fromJson(reply.other.value(u"schema"_s));
                if (!schema)
                    return decodeError(u"The reply's schema cannot be read: %1"_s.arg(schema.error().message));
                reply.fields = std::move(schema->fields);
            }
            if (!rows)
                return reply;
            if (rows->type() != simdjson::dom::element_type::ARRAY)
                return decodeError(u"The reply's rows are not an array."_s);
            if (!fields && reply.fields.isEmpty() && rows->get_array().value_unsafe().size() != 0)
                return decodeError(u"The reply has rows but no schema."_s);
            std::vector<SimdNode> rowNodes;
            rowNodes.reserve(rows->get_array().value_unsafe().size());
            const simdjson::dom::array rowArray = rows->get_array().value_unsafe();
            for (simdjson::dom::element row : rowArray)
                rowNodes.emplace_back(row);
            Result<QList<QVariantList>> decoded = decodeRowNodes(reply.fields, rowNodes, true);
            if (!decoded)
                return decoded.error();
            reply.rows = std::move(decoded.value());
            return reply;
        }
    }

    Result<QList<QVariantList>> decodeRows(const QList<TableField> &fields, const QJsonArray &rows)
    {
        std::vector<QtNode> rowNodes;
        rowNodes.reserve(size_t(rows.size()));
        for (const QJsonValue &row : rows)
            rowNodes.emplace_back(row);
        return decodeRowNodes(fields, rowNodes, false);   // QJsonValue's sharing is not for many threads at once
    }

    Result<QVariant> decodeCell(const TableField &field, const QJsonValue &v)
    {
        QVariant out;
        Failure failure;
        if (!decodeField(field, QtNode(v), out, failure)) {
            failure.path.prepend(u'.' + field.name);
            return cellError(QString(), failure);
        }
        return out;
    }

    Result<DecodedReply> decodeReply(const QByteArray &body)
    {
        return decodeReplyBody(body, nullptr);
    }

    Result<DecodedReply> decodeReply(const QByteArray &body, const QList<TableField> &fields)
    {
        return decodeReplyBody(body, &fields);
    }
}
