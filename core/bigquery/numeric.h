#pragma once

#include <optional>

#include <QString>

namespace Aq::BigQuery
{
    // A NUMERIC (up to 29 digits before the point, 9 after) or BIGNUMERIC (38 and 38) value as the plain,
    // canonical decimal that BigQuery prints and the local cloud stores: no exponent, no leading zeros, no
    // trailing fraction zeros, no "-0" ("1.50e2" -> "150"). nullopt when it is not a number or does not fit.
    std::optional<QString> normalizeNumeric(const QString &text, bool big);
}
