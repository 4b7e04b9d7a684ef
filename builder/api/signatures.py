"""Anyone may check the digital signatures of a PDF or XML file:
``POST /api/v1/signatures/verify`` (multipart ``file``)."""
from __future__ import annotations

from flask import jsonify, request
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext as _

from builder.errors import BadRequest, TooLarge
from builder.signatures import max_bytes, verify_document


class SignatureApi(BaseApi):
    route_base = "/api/v1/signatures"
    openapi_spec_tag = "Signatures"

    @expose("/verify", methods=["POST"])
    def verify(self):
        """Verify every signature of a PDF (PAdES/CMS) or XML (XMLDSig) file
        against the trust roots this deployment is configured with.
        ---
        post:
          summary: Verify the digital signatures of a file
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file: {type: string, format: binary, description: a PDF or XML file}
          responses:
            200:
              description: What was found; problems in the request's language
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      signed: {type: boolean}
                      valid: {type: boolean, description: signed, and every signature valid}
                      format: {type: string, description: 'the verifier: pades or xmldsig'}
                      signatures:
                        type: array
                        items:
                          type: object
                          properties:
                            signer: {type: string, nullable: true}
                            issuer: {type: string, nullable: true}
                            signed_at: {type: string, format: date-time, nullable: true}
                            timestamped: {type: boolean}
                            intact: {type: boolean}
                            trusted: {type: boolean}
                            covers_whole_document: {type: boolean}
                            revocation: {type: string, enum: [good, revoked, unknown]}
                            valid: {type: boolean}
                            problems: {type: array, items: {type: string}}
            400: {description: 'No file, not a PDF or XML file, or a file that cannot be read'}
            413: {description: Over the size limit}
        """
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise BadRequest(_("Please send the file to check in the field %(field)s.", field="file"))
        limit = max_bytes()
        data = upload.stream.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(_("A file may be at most %(mb)s MB.", mb=limit // (1024 * 1024)))
        if not data:
            raise BadRequest(_("The file is empty."))
        report = verify_document(data, upload.filename)
        return jsonify(report.to_dict())
