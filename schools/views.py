from django.shortcuts import render


def school_list(request):
    return render(request, "schools/school_list.html", {})
