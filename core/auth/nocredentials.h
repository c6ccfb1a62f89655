#pragma once

#include "core/auth/credentials.h"

namespace Aq::Auth
{
    // No Authorization header: Google's emulators and the embedded local cloud without API keys.
    class NoCredentials final : public Credentials
    {
        Q_OBJECT

    public:
        explicit NoCredentials(QObject *parent = nullptr);

        void headersFor(const QUrl &serviceUrl, HeadersCallback callback) override;
        QString description() const override;
    };
}
