#include "core/bigquery/numeric.h"

#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace Aq::BigQuery
{
    std::optional<QString> normalizeNumeric(const QString &text, bool big)
    {
        static const QRegularExpression pattern(uR"(^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?\s*$)"_s);
        const QRegularExpressionMatch m = pattern.match(text);
        if (!m.hasMatch() || (m.capturedView(2).isEmpty() && m.capturedView(3).isEmpty()))
            return std::nullopt;
        // all the digits, and where the point goes among them
        QString digits = m.captured(2) + m.captured(3);
        qsizetype point = m.capturedView(2).size() + m.captured(4).toInt();
        if (point < -100 || point > digits.size() + 100)   // far outside either type: no need to spell it out
            return std::nullopt;
        while (point < 0) {
            digits.prepend(u'0');
            ++point;
        }
        while (point > digits.size())
            digits.append(u'0');
        QString integer = digits.left(point);
        QString fraction = digits.mid(point);
        while (integer.size() > 1 && integer.startsWith(u'0'))
            integer.remove(0, 1);
        if (integer.isEmpty())
            integer = u"0"_s;
        while (fraction.endsWith(u'0'))
            fraction.chop(1);
        if ((integer != u"0"_s && integer.size() > (big ? 38 : 29)) || fraction.size() > (big ? 38 : 9))
            return std::nullopt;
        const bool zero = integer == u"0"_s && fraction.isEmpty();
        QString out = (m.captured(1) == u"-"_s && !zero) ? u"-"_s + integer : integer;
        if (!fraction.isEmpty())
            out += u'.' + fraction;
        return out;
    }
}
