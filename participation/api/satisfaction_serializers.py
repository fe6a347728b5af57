"""Serializers of ratings and surveys (with their questions and results)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from grids.selectors import community_list, street_list
from participation.api.serializers import _ScopedRelatedField
from participation.choices import QuestionKind
from participation.models import Rating, Survey, SurveyQuestion


class RatingSerializer(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Rating
        fields = (
            "id",
            "ticket",
            "ticket_number",
            "score",
            "comment",
            "channel",
            "recorded_by",
            "at",
            "reopened",
            "community",
            "grid",
        )
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=12
    )

    class Meta:
        model = SurveyQuestion
        fields = ("id", "order", "text", "kind", "choices", "required")
        read_only_fields = ("id", "order")


class SurveySerializer(serializers.ModelSerializer):
    street = _ScopedRelatedField(street_list)
    community = _ScopedRelatedField(community_list, required=False, allow_null=True)
    questions = QuestionSerializer(many=True, required=False, max_length=30)
    created_by = serializers.StringRelatedField()
    responses = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = (
            "id",
            "street",
            "community",
            "title",
            "description",
            "opens_on",
            "closes_on",
            "status",
            "questions",
            "responses",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "status", "created_by", "version", "created_at", "updated_at")

    def get_responses(self, survey: Survey) -> int:
        count = getattr(survey, "response_count", None)
        return survey.responses.count() if count is None else count

    def validate_questions(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dict(question) for question in value]


class SurveyUpdateSerializer(SurveySerializer):
    """A survey stays in its street."""

    street = serializers.PrimaryKeyRelatedField(read_only=True)


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = serializers.CharField(source="question.kind")
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField())
    choices = serializers.DictField(child=serializers.IntegerField())
    texts = serializers.ListField(child=serializers.CharField())


class CommunityResultSerializer(serializers.Serializer):
    community = serializers.IntegerField(source="community.pk", allow_null=True, default=None)
    community_name = serializers.CharField(source="community.name", allow_null=True, default=None)
    responses = serializers.IntegerField()
    questions = QuestionResultSerializer(many=True)
