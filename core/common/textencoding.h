#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QStringView>

namespace Aq::Text
{
    // `text` as a JSON string literal, quotes included (RFC 8259: '"', '\\' and control characters escaped).
    void appendJsonString(QStringView text, QByteArray &out);
    // Any JSON value as compact text; scalars too (QJsonDocument takes only objects and arrays).
    QByteArray jsonText(const QJsonValue &value, bool indented = false);
    // One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
    void appendCsvField(QByteArrayView utf8, QByteArray &out);
}
