#include "core/common/timeutil.h"

#include <chrono>
#include <cmath>

#include <QDate>
#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Time
{
    namespace
    {
        constexpr qint64 MICROS_PER_SECOND = 1000000;
        constexpr qint64 MICROS_PER_DAY = 86400LL * MICROS_PER_SECOND;

        // Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
        qint64 daysFromCivil(qint64 y, unsigned m, unsigned d)
        {
            y -= m <= 2;
            const qint64 era = (y >= 0 ? y : y - 399) / 400;
            const unsigned yoe = static_cast<unsigned>(y - era * 400);
            const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146097 + static_cast<qint64>(doe) - 719468;
        }

        void civilFromDays(qint64 z, int &year, int &month, int &day)
        {
            z += 719468;
            const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
            const unsigned doe = static_cast<unsigned>(z - era * 146097);
            const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            const qint64 y = static_cast<qint64>(yoe) + era * 400;
            const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            const unsigned mp = (5 * doy + 2) / 153;
            day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
            month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
            year = static_cast<int>(y + (month <= 2));
        }

        bool validDate(int y, int m, int d)
        {
            return y >= 1 && y <= 9999 && QDate::isValid(y, m, d);
        }

        // fraction text (digits after '.') to micros, truncating past 6 digits as BigQuery does
        qint64 fractionMicros(QStringView digits)
        {
            qint64 micros = 0;
            for (int i = 0; i < 6; ++i)
                micros = micros * 10 + (i < digits.size() ? digits[i].digitValue() : 0);
            return micros;
        }

        const QRegularExpression &timestampPattern()
        {
            // date, optional time, optional fraction, optional zone (Z, UTC, +hh[:mm])
            static const QRegularExpression re(
                uR"(^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?)?\s*(Z|z|UTC|[+-]\d{1,2}(?::?\d{2})?)?\s*$)"_s);
            return re;
        }
    }

    qint64 nowMicros()
    {
        using namespace std::chrono;
        return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    }

    namespace
    {
        // "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z", what Google's clients and the seeds send: parsed without the
        // regular expression, which costs microseconds per value on the ingest path.
        std::optional<qint64> parseCommonRfc3339(QStringView text)
        {
            const qsizetype n = text.size();
            if (n < 20 || n > 30 || text[n - 1] != u'Z' || text[4] != u'-' || text[7] != u'-' || (text[10] != u'T' && text[10] != u't' && text[10] != u' ')
                || text[13] != u':' || text[16] != u':')
                return std::nullopt;
            auto digits = [&](qsizetype from, qsizetype count, int &value) {
                value = 0;
                for (qsizetype i = from; i < from + count; ++i) {
                    const char16_t c = text[i].unicode();
                    if (c < u'0' || c > u'9')
                        return false;
                    value = value * 10 + (c - u'0');
                }
                return true;
            };
            int y = 0, mo = 0, d = 0, hh = 0, mm = 0, ss = 0;
            if (!digits(0, 4, y) || !digits(5, 2, mo) || !digits(8, 2, d) || !digits(11, 2, hh) || !digits(14, 2, mm) || !digits(17, 2, ss))
                return std::nullopt;
            qint64 fraction = 0;
            if (n > 20) {
                if (text[19] != u'.' || n - 21 > 9 || n - 21 < 1)
                    return std::nullopt;
                int value = 0;
                for (qsizetype i = 20; i < n - 1; ++i) {
                    if (!digits(i, 1, value))
                        return std::nullopt;
                    if (i < 26)
                        fraction = fraction * 10 + value;
                }
                for (qsizetype i = qMin<qsizetype>(n - 1, 26); i < 26; ++i)
                    fraction *= 10;
            } else if (text[19] != u'Z') {
                return std::nullopt;
            }
            if (!validDate(y, mo, d) || hh > 23 || mm > 59 || ss > 60)
                return std::nullopt;
            return daysFromCivil(y, unsigned(mo), unsigned(d)) * MICROS_PER_DAY + (hh * 3600LL + mm * 60LL + qMin(ss, 59)) * MICROS_PER_SECOND + fraction;
        }
    }

    std::optional<qint64> parseTimestamp(const QString &text)
    {
        if (const std::optional<qint64> common = parseCommonRfc3339(text))
            return common;
        const QRegularExpressionMatch m = timestampPattern().match(text);
        if (!m.hasMatch()) {
            // seconds since the epoch, as BigQuery accepts in insertAll
            bool ok = false;
            const double seconds = text.trimmed().toDouble(&ok);
            if (ok && std::isfinite(seconds) && std::fabs(seconds) < 253402300800.0)
                return static_cast<qint64>(std::llround(seconds * 1e6));
            return std::nullopt;
        }
        const int y = m.captured(1).toInt();
        const int mo = m.captured(2).toInt();
        const int d = m.captured(3).toInt();
        if (!validDate(y, mo, d))
            return std::nullopt;
        const int hh = m.captured(4).isEmpty() ? 0 : m.captured(4).toInt();
        const int mm = m.captured(5).isEmpty() ? 0 : m.captured(5).toInt();
        const int ss = m.captured(6).isEmpty() ? 0 : m.captured(6).toInt();
        if (hh > 23 || mm > 59 || ss > 60)
            return std::nullopt;
        qint64 micros = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * MICROS_PER_DAY
            + (hh * 3600LL + mm * 60LL + qMin(ss, 59)) * MICROS_PER_SECOND + fractionMicros(m.capturedView(7));
        const QString zone = m.captured(8);
        if (!zone.isEmpty() && zone != u"Z"_s && zone != u"z"_s && zone != u"UTC"_s) {
            const int sign = zone.startsWith(u'-') ? -1 : 1;
            QString digits = zone.mid(1);
            digits.remove(u':');
            int offH = 0;
            int offM = 0;
            if (digits.size() <= 2) {
                offH = digits.toInt();
            } else {
                offH = digits.left(digits.size() - 2).toInt();
                offM = digits.right(2).toInt();
            }
            if (offH > 14 || offM > 59)
                return std::nullopt;
            micros -= sign * (offH * 3600LL + offM * 60LL) * MICROS_PER_SECOND;
        }
        return micros;
    }

    std::optional<qint64> parseTimestamp(const QJsonValue &value)
    {
        if (value.isDouble()) {
            const double seconds = value.toDouble();
            if (!std::isfinite(seconds) || std::fabs(seconds) >= 253402300800.0)
                return std::nullopt;
            return static_cast<qint64>(std::llround(seconds * 1e6));
        }
        if (value.isString())
            return parseTimestamp(value.toString());
        return std::nullopt;
    }

    QString formatRfc3339Fixed(qint64 micros, int fractionDigits)
    {
        qint64 days = micros / MICROS_PER_DAY;
        qint64 rest = micros % MICROS_PER_DAY;
        if (rest < 0) {
            rest += MICROS_PER_DAY;
            --days;
        }
        int y = 0;
        int mo = 0;
        int d = 0;
        civilFromDays(days, y, mo, d);
        const qint64 secondsOfDay = rest / MICROS_PER_SECOND;
        const qint64 fraction = rest % MICROS_PER_SECOND;
        char buf[64];
        int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, int(secondsOfDay / 3600),
                              int(secondsOfDay / 60 % 60), int(secondsOfDay % 60));
        if (fractionDigits == 3)
            n += std::snprintf(buf + n, sizeof buf - n, ".%03d", int(fraction / 1000));
        else if (fractionDigits == 6)
            n += std::snprintf(buf + n, sizeof buf - n, ".%06d", int(fraction));
        buf[n++] = 'Z';
        return QString::fromLatin1(buf, n);
    }

    QString formatRfc3339(qint64 micros)
    {
        qint64 fraction = micros % MICROS_PER_SECOND;
        if (fraction < 0)
            fraction += MICROS_PER_SECOND;
        const int digits = fraction == 0 ? 0 : (fraction % 1000 == 0 ? 3 : 6);
        return formatRfc3339Fixed(micros, digits);
    }

    std::optional<qint64> parseDuration(const QString &text)
    {
        static const QRegularExpression re(uR"(^\s*(-?\d{1,12})(?:\.(\d{1,9}))?s\s*$)"_s);
        const QRegularExpressionMatch m = re.match(text);
        if (!m.hasMatch())
            return std::nullopt;
        const qint64 seconds = m.captured(1).toLongLong();
        const qint64 fraction = fractionMicros(m.capturedView(2));
        return seconds * MICROS_PER_SECOND + (seconds < 0 ? -fraction : fraction);
    }

    QString formatDuration(qint64 micros)
    {
        if (micros % MICROS_PER_SECOND == 0)
            return QString::number(micros / MICROS_PER_SECOND) + u's';
        return QString::number(static_cast<double>(micros) / 1e6, 'f', 6).remove(QRegularExpression(u"0+$"_s)) + u's';
    }

    std::optional<qint64> parseHumanDuration(const QString &text)
    {
        static const QRegularExpression re(uR"(^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$)"_s);
        const QRegularExpressionMatch m = re.match(text);
        if (!m.hasMatch())
            return std::nullopt;
        const double amount = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        double scale = 1e6;
        if (unit == u"ms"_s)
            scale = 1e3;
        else if (unit == u"m"_s)
            scale = 60e6;
        else if (unit == u"h"_s)
            scale = 3600e6;
        else if (unit == u"d"_s)
            scale = 86400e6;
        const double micros = amount * scale;
        if (micros > 9.0e18)
            return std::nullopt;
        return qint64(micros);
    }

    std::optional<QString> normalizeDate(const QString &text)
    {
        static const QRegularExpression re(uR"(^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$)"_s);
        const QRegularExpressionMatch m = re.match(text);
        if (!m.hasMatch())
            return std::nullopt;
        const int y = m.captured(1).toInt();
        const int mo = m.captured(2).toInt();
        const int d = m.captured(3).toInt();
        if (!validDate(y, mo, d))
            return std::nullopt;
        return QString::asprintf("%04d-%02d-%02d", y, mo, d);
    }

    std::optional<QString> normalizeTime(const QString &text)
    {
        static const QRegularExpression re(uR"(^\s*(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*$)"_s);
        const QRegularExpressionMatch m = re.match(text);
        if (!m.hasMatch())
            return std::nullopt;
        const int h = m.captured(1).toInt();
        const int mi = m.captured(2).toInt();
        const int s = m.captured(3).toInt();
        if (h > 23 || mi > 59 || s > 59)
            return std::nullopt;
        QString out = QString::asprintf("%02d:%02d:%02d", h, mi, s);
        const qint64 fraction = fractionMicros(m.capturedView(4));
        if (fraction != 0) {
            QString f = QString::asprintf("%06lld", fraction);
            while (f.endsWith(u'0'))
                f.chop(1);
            out += u'.' + f;
        }
        return out;
    }

    std::optional<QString> normalizeDatetime(const QString &text)
    {
        static const QRegularExpression re(uR"(^\s*(\d{4}-\d{1,2}-\d{1,2})(?:[Tt ](.*?))?\s*$)"_s);
        const QRegularExpressionMatch m = re.match(text);
        if (!m.hasMatch())
            return std::nullopt;
        const std::optional<QString> date = normalizeDate(m.captured(1));
        if (!date)
            return std::nullopt;
        QString timePart = m.captured(2);
        if (timePart.isEmpty())
            return *date + u"T00:00:00"_s;
        if (timePart.count(u':') == 1)
            timePart += u":00"_s;
        const std::optional<QString> time = normalizeTime(timePart);
        if (!time)
            return std::nullopt;
        return *date + u'T' + *time;
    }
}
