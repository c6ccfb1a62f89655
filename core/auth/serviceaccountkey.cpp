#include "core/auth/serviceaccountkey.h"

#include "core/auth/credentialsfile.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    namespace
    {
        const QString KIND = u"service account key"_s;
    }

    Result<ServiceAccountKey> ServiceAccountKey::fromFile(const CredentialsFile &file)
    {
        ServiceAccountKey key;
        key.filePath = file.path();
        Result<QString> clientEmail = file.requiredString("client_email"_L1, KIND);
        if (!clientEmail)
            return clientEmail.error();
        key.clientEmail = *clientEmail;
        Result<QString> privateKey = file.requiredString("private_key"_L1, KIND);
        if (!privateKey)
            return privateKey.error();
        std::optional<RsaPrivateKey> parsed = RsaPrivateKey::fromPem(privateKey->toUtf8());
        if (!parsed)
            return file.invalid(u"its private_key is not a valid PEM RSA private key (unencrypted PKCS#8 or PKCS#1). "
                                "Download a new key for %1 if the file was edited or truncated."_s.arg(key.clientEmail));
        key.privateKey = *parsed;
        Result<QUrl> tokenUri = file.tokenUri(KIND);
        if (!tokenUri)
            return tokenUri.error();
        key.tokenUri = *tokenUri;
        key.privateKeyId = file.optionalString("private_key_id"_L1);
        key.projectId = file.optionalString("project_id"_L1);
        key.quotaProjectId = file.optionalString("quota_project_id"_L1);
        return key;
    }
}
