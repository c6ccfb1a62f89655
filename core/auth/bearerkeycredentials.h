#pragma once

#include "core/auth/credentials.h"

namespace Aq::Auth
{
    // An Aqueduct server's API key, sent as "Authorization: Bearer KEY" (DESIGN.md, Keys).
    class BearerKeyCredentials final : public Credentials
    {
        Q_OBJECT

    public:
        // `source` says where the key came from, for messages ("AQUEDUCT_API_KEY", "--api-key"); never the key.
        explicit BearerKeyCredentials(const QByteArray &key, const QString &source = {}, QObject *parent = nullptr);

        void headersFor(const QUrl &serviceUrl, HeadersCallback callback) override;
        QString description() const override;

    private:
        QByteArray m_key;
        QString m_source;
    };
}
