#include "core/rest/retrypolicy.h"

#include <algorithm>
#include <cmath>

#include <QRandomGenerator>

namespace Aq::Rest
{
    std::chrono::milliseconds RetryPolicy::backoff(int retry) const
    {
        const double uncapped = double(initialBackoff.count()) * std::pow(multiplier, std::max(0, retry));
        const double delay = std::min(uncapped, double(maximumBackoff.count()));
        const double jittered = delay / 2 + QRandomGenerator::global()->generateDouble() * delay / 2;
        return std::chrono::milliseconds(qint64(jittered));
    }

    bool RetryPolicy::isRetryableHttpStatus(int httpStatus)
    {
        return httpStatus == 429 || httpStatus == 500 || httpStatus == 502 || httpStatus == 503 || httpStatus == 504;
    }
}
